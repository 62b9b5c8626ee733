import { ledgerModuleSuite } from "../support/ledger-runner"
import { expectVerified, sleep } from "../support/ledger-helpers"

jest.setTimeout(120000)

const SALES = "acc_sys_usd_redemptions"
const CONCURRENCY = 16
const SECONDS = Number(process.env.LEDGER_STRESS_SECONDS ?? 15)

/** Refusals a caller may get under this load: business rules, never a database failure. */
const EXPECTED = new Set([
  "insufficient_funds",
  "account_frozen",
  "account_closed",
  "account_inactive",
  "refund_exceeds_transfer",
  "already_reversed",
  "not_reversible",
  "hold_not_open",
  "hold_expired",
  "hold_exceeded",
])

/**
 * Every kind of money movement mixed at concurrency 16 for SECONDS seconds: orders into
 * the hot sales account, refunds and reversals out of it, holds captured and released,
 * accounts expiring under expiry sweeps, new funded gift cards, batches, and the sales
 * account frozen and thawed. No caller may see a deadlock (40P01), a serialization
 * failure (40001) or any other database error; afterwards every invariant holds.
 */
ledgerModuleSuite("stress", ({ service }) => {
  it(`orders, refunds, reversals, holds, captures, expiry sweeps and core freeze/thaw at concurrency ${CONCURRENCY}`, async () => {
    const wallets = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        service.createAccount({
          name: `Wallet ${i}`,
          currency_code: "usd",
          initial_amount: 1000,
          // a third expire during the run, with holds and refunds in flight
          end_date: i % 3 === 0 ? new Date(Date.now() + 2000 + i * 300) : null,
        })
      )
    )
    const spends: string[] = []
    const holds: string[] = []
    const tally: Record<string, number> = {}
    const failures: string[] = []
    const random = (n: number) => Math.floor(Math.random() * n)
    const pick = <T>(xs: T[]) => xs[random(xs.length)]

    const ops: Record<string, () => Promise<unknown>> = {
      order: async () => spends.push((await service.redeem(pick(wallets).id, "1.25")).id),
      refund: () => (spends.length ? service.refund(pick(spends), "0.50") : Promise.resolve()),
      reverse: () => (spends.length ? service.reverse(pick(spends)) : Promise.resolve()),
      hold: async () => holds.push((await service.hold(pick(wallets).id, 3, { expires_at: new Date(Date.now() + 1500) })).id),
      capture: () => (holds.length ? service.capture(holds.splice(random(holds.length), 1)[0], { amount: 2 }) : Promise.resolve()),
      release: () => (holds.length ? service.release(holds.splice(random(holds.length), 1)[0]) : Promise.resolve()),
      sweep: () => service.closeExpiredAccounts(),
      freeze: () => service.freezeAccount(SALES),
      thaw: () => service.thawAccount(SALES),
      card: () => service.createAccount({ name: "Card", currency_code: "usd", generate_code: true, initial_amount: 5, source_account_id: "@bank" }),
      batch: () =>
        service.postAll([
          { kind: "redemption", source_id: pick(wallets).id, destination_id: "@redemptions", amount: "0.75" },
          ...(spends.length ? [{ kind: "refund" as const, parent: pick(spends), amount: "0.25" }] : []),
        ]),
    }
    // Weighted like a shop: mostly orders, some refunds and holds, a few freezes.
    const plan = [
      ...Array(6).fill("order"), ...Array(2).fill("refund"), "reverse", ...Array(2).fill("hold"),
      "capture", "release", "sweep", "card", "batch", "freeze", "thaw",
    ]

    const until = Date.now() + SECONDS * 1000
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (Date.now() < until) {
          const name = pick(plan)
          try {
            await ops[name]()
            tally[name] = (tally[name] ?? 0) + 1
          } catch (e: any) {
            if (e?.name === "LedgerError" && EXPECTED.has(e.code)) {
              tally[`${name}:${e.code}`] = (tally[`${name}:${e.code}`] ?? 0) + 1
            } else {
              failures.push(`${name}: ${e?.code ?? ""} ${e?.message ?? e}`)
            }
          }
        }
      })
    )
    if (process.env.LEDGER_DEBUG) console.log(tally)
    expect(failures).toEqual([])
    // The load really mixed: every kind of operation succeeded many times.
    expect(Object.keys(ops).filter((name) => !(tally[name] > 0))).toEqual([])
    await service.thawAccount(SALES)
    await sleep(1600)
    await service.closeExpiredAccounts()
    await expectVerified(service)
  })
})
