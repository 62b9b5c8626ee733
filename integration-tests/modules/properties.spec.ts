import fc from "fast-check"
import { ledgerModuleSuite } from "../support/ledger-runner"
import { expectVerified } from "../support/ledger-helpers"

jest.setTimeout(180000)

/**
 * Model-based property test: random sequences of ledger operations on a few accounts.
 * A small model (integer cents) predicts, for every operation, whether it must succeed
 * or which ledger error codes may refuse it; it applies the effect of each success. After
 * every sequence the database must match the model and verify() must pass every check.
 * Any exception that is not a LedgerError fails the property.
 */

const SALES = "acc_sys_usd_redemptions"
const UNPAID = "acc_sys_usd_unpaid_source"
const LAPSED = "acc_sys_usd_lapsed"

type Status = "open" | "frozen" | "closed"
type MAcc = { id: string; bal: number; held: number; limit: number | null; status: Status; expired: boolean; core: boolean }
type MTransfer = { id: string; src: string; dst: string; amount: number; kind: string; refunded: number; reversed: boolean }
type MHold = { id: string; acc: string; amount: number; status: "open" | "captured" | "released" | "expired" }

// An amount is either absolute (cents) or a percentage of what the payer has available,
// so that sequences hit the exact boundaries (100%) as well as both sides of them.
type AmountSpec = { abs: number } | { pct: number }
const amountArb: fc.Arbitrary<AmountSpec> = fc.oneof(
  fc.record({ abs: fc.integer({ min: 1, max: 6000 }) }),
  fc.record({ pct: fc.constantFrom(25, 50, 99, 100, 101, 150) })
)

type Op =
  | { op: "create"; amount: number; limit: number | null }
  | { op: "transfer"; from: number; to: number; amount: AmountSpec }
  | { op: "redeem"; from: number; amount: AmountSpec; key: number | null }
  | { op: "topUp"; to: number; amount: AmountSpec }
  | { op: "reverse"; t: number }
  | { op: "refund"; t: number; amount: AmountSpec }
  | { op: "hold"; from: number; amount: AmountSpec }
  | { op: "capture"; h: number; amount: AmountSpec | null }
  | { op: "release"; h: number }
  | { op: "freeze"; a: number }
  | { op: "thaw"; a: number }
  | { op: "close"; a: number }
  | { op: "limit"; a: number; limit: number | null }
  | { op: "expire"; a: number }

const idx = fc.nat({ max: 50 })
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant("create" as const), amount: fc.integer({ min: 0, max: 20000 }), limit: fc.option(fc.integer({ min: 0, max: 5000 }), { nil: null, freq: 4 }) }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant("transfer" as const), from: idx, to: idx, amount: amountArb }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constant("redeem" as const), from: idx, amount: amountArb, key: fc.option(fc.nat({ max: 2 }), { nil: null }) }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constant("topUp" as const), to: idx, amount: amountArb }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant("reverse" as const), t: idx }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant("refund" as const), t: idx, amount: amountArb }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constant("hold" as const), from: idx, amount: amountArb }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constant("capture" as const), h: idx, amount: fc.option(amountArb, { nil: null }) }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant("release" as const), h: idx }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant("freeze" as const), a: idx }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant("thaw" as const), a: idx }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant("close" as const), a: idx }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant("limit" as const), a: idx, limit: fc.option(fc.integer({ min: 0, max: 5000 }), { nil: null, freq: 5 }) }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant("expire" as const), a: idx }), weight: 1 }
)

const initialArb = fc.array(
  fc.record({ amount: fc.integer({ min: 0, max: 20000 }), limit: fc.option(fc.integer({ min: 0, max: 5000 }), { nil: null, freq: 6 }) }),
  { minLength: 2, maxLength: 3 }
)

const money = (cents: number) => (cents / 100).toFixed(2)

class Mismatch extends Error {}

ledgerModuleSuite("properties", ({ service, db }) => {
  it("random operation sequences keep every invariant and match the model", async () => {
    let run = 0
    const stats: Record<string, number> = {}
    const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined

    const property = fc.asyncProperty(initialArb, fc.array(opArb, { minLength: 10, maxLength: 40, size: "max" }), async (initial, ops) => {
      run++
      const accounts: MAcc[] = []
      const core = new Map<string, MAcc>()
      const transfers: MTransfer[] = []
      const holds: MHold[] = []
      const keys = new Map<string, { src: string; amount: number; id: string }>()
      const log: string[] = []

      const { rows: coreRows } = await db.raw(
        `SELECT id, round(ledger_balance(id) * 100)::bigint AS b, round(held * 100)::bigint AS h, credit_limit FROM ledger_account WHERE id = ANY(?)`,
        [[SALES, UNPAID, LAPSED]]
      )
      for (const r of coreRows) {
        core.set(r.id, { id: r.id, bal: Number(r.b), held: Number(r.h), limit: r.credit_limit === null ? null : 0, status: "open", expired: false, core: true })
      }
      const acc = (id: string) => core.get(id) ?? accounts.find((a) => a.id === id)!
      const party = (i: number) => (i % (accounts.length + 1) === accounts.length ? core.get(SALES)! : accounts[i % (accounts.length + 1)])
      const available = (a: MAcc) => (a.limit === null ? 100000 : a.bal - a.held + a.limit)
      const amountOf = (spec: AmountSpec, payer: MAcc | null) =>
        "abs" in spec ? spec.abs : Math.max(1, Math.round((Math.max(payer ? available(payer) : 0, 0) * spec.pct) / 100))

      const statusCodes = (a: MAcc) => (a.status === "closed" ? ["account_closed"] : a.status === "frozen" ? ["account_frozen"] : [])
      const payerCodes = (a: MAcc, cents: number, reserved = false) => {
        const codes = statusCodes(a)
        if (!reserved && a.expired) codes.push("account_inactive")
        if (!reserved && a.limit !== null && a.bal - a.held - cents < -a.limit) codes.push("insufficient_funds")
        return codes
      }
      const move = (src: MAcc, dst: MAcc, cents: number) => {
        src.bal -= cents
        dst.bal += cents
      }

      /** Runs one call; checks it succeeded iff the model found no reason to refuse, with a code the model allows. */
      async function attempt<T>(label: string, expected: string[], call: () => Promise<T>): Promise<T | null> {
        let result: T
        try {
          result = await call()
        } catch (e: any) {
          if (!e || e.name !== "LedgerError") {
            throw e
          }
          log.push(`${label} -> ${e.code}`)
          stats[label.split(" ")[0] + ":" + e.code] = (stats[label.split(" ")[0] + ":" + e.code] ?? 0) + 1
          if (!expected.length) throw new Mismatch(`${label}: the model expected success, got ${e.code}: ${e.message}\n${log.join("\n")}`)
          if (!expected.includes(e.code)) throw new Mismatch(`${label}: expected one of ${expected.join(", ")}, got ${e.code}: ${e.message}\n${log.join("\n")}`)
          return null
        }
        log.push(`${label} -> ok`)
        stats[label.split(" ")[0] + ":ok"] = (stats[label.split(" ")[0] + ":ok"] ?? 0) + 1
        if (expected.length) throw new Mismatch(`${label}: the model expected ${expected.join(" or ")}, but it succeeded\n${log.join("\n")}`)
        return result
      }

      async function create(cents: number, limit: number | null) {
        const a = await service.createAccount({
          name: `prop ${run}`,
          currency_code: "usd",
          credit_limit: limit === null ? null : money(limit),
          initial_amount: cents ? money(cents) : undefined,
        })
        const m: MAcc = { id: a.id, bal: 0, held: 0, limit, status: "open", expired: false, core: false }
        accounts.push(m)
        if (cents) {
          move(core.get(UNPAID)!, m, cents)
          const [t] = (await db.raw(`SELECT id FROM ledger_transfer WHERE destination_id = ? AND kind = 'load'`, [a.id])).rows
          transfers.push({ id: t.id, src: UNPAID, dst: a.id, amount: cents, kind: "load", refunded: 0, reversed: false })
        }
        log.push(`create ${money(cents)} limit ${limit === null ? "none" : money(limit)} -> ${a.id}`)
      }

      /**
       * What the ledger's expiry does to one open, expired account: a negative balance is
       * left alone; what is not held lapses; the account closes once nothing is held.
       */
      async function lapse(m: MAcc): Promise<"closed" | "held" | "negative"> {
        if (m.bal < 0) return "negative"
        const free = m.bal - m.held
        if (free > 0) {
          const [t] = (await db.raw(`SELECT id FROM ledger_transfer WHERE source_id = ? AND kind = 'expiry' ORDER BY created_at DESC LIMIT 1`, [m.id])).rows
          transfers.push({ id: t.id, src: m.id, dst: LAPSED, amount: free, kind: "expiry", refunded: 0, reversed: false })
          move(m, core.get(LAPSED)!, free)
        }
        if (m.held > 0) return "held"
        m.status = "closed"
        return "closed"
      }

      /** closeExpiredAccounts(): every open expired account goes through lapse(). */
      async function sweep() {
        const result = await service.closeExpiredAccounts()
        const mine = new Set(accounts.map((m) => m.id))
        const got = {
          closed: result.closed.filter((id) => mine.has(id)).sort(),
          kept: result.kept_for_holds.filter((id) => mine.has(id)).sort(),
          skipped: result.skipped_negative.filter((id) => mine.has(id)).sort(),
        }
        log.push(`closeExpiredAccounts -> ${JSON.stringify(got)}`)
        const want = { closed: [] as string[], kept: [] as string[], skipped: [] as string[] }
        for (const m of accounts) {
          if (!m.expired || m.status !== "open") continue
          const outcome = await lapse(m)
          ;(outcome === "closed" ? want.closed : outcome === "held" ? want.kept : want.skipped).push(m.id)
        }
        want.closed.sort(); want.kept.sort(); want.skipped.sort()
        if (JSON.stringify(got) !== JSON.stringify(want)) {
          throw new Mismatch(`closeExpiredAccounts: got ${JSON.stringify(got)}, model ${JSON.stringify(want)}\n${log.join("\n")}`)
        }
      }

      for (const a of initial) await create(a.amount, a.limit)

      for (const o of ops) {
        switch (o.op) {
          case "create": {
            if (accounts.length < 5) await create(o.amount, o.limit)
            break
          }
          case "transfer":
          case "redeem":
          case "topUp": {
            const src = o.op === "topUp" ? core.get(UNPAID)! : party(o.from)
            const dst = o.op === "transfer" ? party(o.to) : o.op === "redeem" ? core.get(SALES)! : party(o.to)
            const cents = amountOf(o.amount, src)
            const key = o.op === "redeem" && o.key !== null ? `prop-${run}-${o.key}` : null
            let expected: string[]
            const known = key ? keys.get(key) : undefined
            if (src.id === dst.id) expected = ["same_account"]
            else if (known) expected = known.src === src.id && known.amount === cents ? [] : ["idempotency_conflict"]
            else expected = [...payerCodes(src, cents), ...statusCodes(dst)]
            const label = `${o.op} ${money(cents)} ${src.id} -> ${dst.id}${key ? ` key ${key}` : ""}`
            const t = await attempt(label, expected, () =>
              o.op === "topUp"
                ? service.topUp(dst.id, money(cents))
                : o.op === "redeem"
                  ? service.redeem(src.id, money(cents), { idempotency_key: key })
                  : service.transfer(src.id, dst.id, money(cents))
            )
            if (t) {
              if (known) {
                if (t.id !== known.id || !t.replayed) throw new Mismatch(`${label}: expected a replay of ${known.id}, got ${t.id} replayed=${t.replayed}`)
              } else {
                if (t.replayed) throw new Mismatch(`${label}: replayed without a known key`)
                move(src, dst, cents)
                transfers.push({ id: t.id, src: src.id, dst: dst.id, amount: cents, kind: t.kind, refunded: 0, reversed: false })
                if (key) keys.set(key, { src: src.id, amount: cents, id: t.id })
                // core accounts return no balance (it is spread over shard rows); verify() and the final model check cover them
                const returned = (b: string | null, model: number) => b === null || Math.round(Number(b) * 100) === model
                if (!returned(t.source_balance, src.bal) || !returned(t.destination_balance, dst.bal) ||
                    (t.source_balance === null) !== src.id.startsWith("acc_sys_") || (t.destination_balance === null) !== dst.id.startsWith("acc_sys_")) {
                  throw new Mismatch(`${label}: returned balances ${t.source_balance}/${t.destination_balance}, model ${src.bal}/${dst.bal}`)
                }
              }
            }
            break
          }
          case "reverse":
          case "refund": {
            if (!transfers.length) break
            // recent transfers are picked most often, so refunds and reversals of one meet
            const parent = transfers[transfers.length - 1 - (o.t % transfers.length)]
            const back = acc(parent.dst) // pays
            const to = acc(parent.src) // receives
            const rest = parent.amount - parent.refunded
            const cents = o.op === "reverse" ? rest : amountOf(o.amount, back)
            let expected: string[] = []
            if (["refund", "reversal", "expiry"].includes(parent.kind)) expected = ["not_reversible"]
            else {
              if (o.op === "reverse" && parent.reversed) expected.push("already_reversed")
              if (o.op === "reverse" ? rest <= 0 : parent.refunded + cents > parent.amount) expected.push("refund_exceeds_transfer")
              if (!expected.length) expected = [...payerCodes(back, cents), ...statusCodes(to)]
            }
            const label = `${o.op} ${o.op === "refund" ? money(cents) + " of " : ""}${parent.kind} ${parent.id} (${money(parent.amount)}, refunded ${money(parent.refunded)})`
            const t = await attempt(label, expected, () => (o.op === "reverse" ? service.reverse(parent.id) : service.refund(parent.id, money(cents))))
            if (t) {
              if (Math.round(Number(t.amount) * 100) !== cents) throw new Mismatch(`${label}: moved ${t.amount}, model ${money(cents)}`)
              move(back, to, cents)
              parent.refunded += cents
              if (o.op === "reverse") parent.reversed = true
              transfers.push({ id: t.id, src: back.id, dst: to.id, amount: cents, kind: t.kind, refunded: 0, reversed: false })
            }
            break
          }
          case "hold": {
            const a = party(o.from)
            const cents = amountOf(o.amount, a)
            // core accounts never hold funds (their balance lives in shard rows)
            const codes = a.id.startsWith("acc_sys_") ? ["not_authorized"] : payerCodes(a, cents)
            const h = await attempt(`hold ${money(cents)} on ${a.id}`, codes, () => service.hold(a.id, money(cents)))
            if (h) {
              a.held += cents
              holds.push({ id: h.id, acc: a.id, amount: cents, status: "open" })
            }
            break
          }
          case "capture": {
            if (!holds.length) break
            const h = holds[holds.length - 1 - (o.h % holds.length)]
            const a = acc(h.acc)
            const sales = core.get(SALES)!
            const cents = o.amount === null ? h.amount : amountOf(o.amount, a)
            let expected: string[] = []
            // a hold on the sales account cannot be captured into it
            if (h.acc === SALES) expected = ["same_account"]
            else if (h.status !== "open") expected = ["hold_not_open"]
            else {
              if (cents > h.amount) expected.push("hold_exceeded")
              expected.push(...payerCodes(a, cents, true), ...statusCodes(sales))
            }
            const label = `capture ${o.amount === null ? "all" : money(cents)} of hold ${h.id} (${money(h.amount)}, ${h.status})`
            const t = await attempt(label, expected, () => service.capture(h.id, o.amount === null ? {} : { amount: money(cents) }))
            if (t) {
              a.held -= h.amount
              move(a, sales, cents)
              h.status = "captured"
              transfers.push({ id: t.id, src: a.id, dst: SALES, amount: cents, kind: "capture", refunded: 0, reversed: false })
            }
            break
          }
          case "release": {
            if (!holds.length) break
            const h = holds[holds.length - 1 - (o.h % holds.length)]
            const r = await attempt(`release hold ${h.id} (${h.status})`, h.status === "captured" ? ["hold_not_open"] : [], () => service.release(h.id))
            if (r) {
              const want = h.status === "open" ? "released" : h.status
              if (r.status !== want) throw new Mismatch(`release ${h.id}: status ${r.status}, model ${want}`)
              if (h.status === "open") {
                const m = acc(h.acc)
                m.held -= h.amount
                h.status = "released"
                // what the hold kept from an expired account's sweep lapses now
                if (m.expired && m.status === "open" && !m.core) await lapse(m)
              }
            }
            break
          }
          case "freeze":
          case "thaw": {
            if (!accounts.length) break
            const a = accounts[o.a % accounts.length]
            const r = await attempt(`${o.op} ${a.id} (${a.status})`, a.status === "closed" ? ["account_closed"] : [], () =>
              o.op === "freeze" ? service.freezeAccount(a.id) : service.thawAccount(a.id)
            )
            if (r) a.status = o.op === "freeze" ? "frozen" : "open"
            break
          }
          case "close": {
            if (!accounts.length) break
            const a = accounts[o.a % accounts.length]
            const expected = a.status === "closed" ? ["account_closed"] : a.bal !== 0 || a.held !== 0 ? ["account_not_empty"] : []
            const r = await attempt(`close ${a.id} (${a.status}, ${money(a.bal)}, held ${money(a.held)})`, expected, () => service.closeAccount(a.id))
            if (r) a.status = "closed"
            break
          }
          case "limit": {
            if (!accounts.length) break
            const a = accounts[o.a % accounts.length]
            const expected =
              a.status === "closed" ? ["account_closed"] : o.limit !== null && a.bal - a.held < -o.limit ? ["invalid_credit_limit"] : []
            const r = await attempt(`limit ${a.id} := ${o.limit === null ? "none" : money(o.limit)}`, expected, () =>
              service.updateAccount(a.id, { credit_limit: o.limit === null ? null : money(o.limit) })
            )
            if (r) a.limit = o.limit
            break
          }
          case "expire": {
            if (!accounts.length) break
            const a = accounts[o.a % accounts.length]
            const r = await attempt(`expire ${a.id} (${a.status})`, a.status === "closed" ? ["account_closed"] : [], () =>
              service.updateAccount(a.id, { end_date: new Date(Date.now() - 1000) })
            )
            if (r) a.expired = true
            await sweep()
            break
          }
        }
      }

      // a last sweep, so that no expired account is left for the next sequence to lapse
      await sweep()

      // the database matches the model
      const all = [...accounts, ...core.values()]
      const { rows } = await db.raw(
        `SELECT id, status, round(ledger_balance(id) * 100)::bigint AS b, round(held * 100)::bigint AS h FROM ledger_account WHERE id = ANY(?)`,
        [all.map((a) => a.id)]
      )
      const actual = Object.fromEntries(rows.map((r: any) => [r.id, { bal: Number(r.b), held: Number(r.h), status: r.status }]))
      const model = Object.fromEntries(all.map((a) => [a.id, { bal: a.bal, held: a.held, status: a.status }]))
      const wrong = all.filter((a) => JSON.stringify(actual[a.id]) !== JSON.stringify(model[a.id]))
      if (wrong.length) {
        throw new Mismatch(
          `accounts differ from the model:\n${wrong.map((a) => `${a.id}: database ${JSON.stringify(actual[a.id])}, model ${JSON.stringify(model[a.id])}`).join("\n")}\n${log.join("\n")}`
        )
      }
      if (holds.length) {
        const { rows: hs } = await db.raw(`SELECT id, status FROM ledger_hold WHERE id = ANY(?)`, [holds.map((h) => h.id)])
        const dbHolds = Object.fromEntries(hs.map((h: any) => [h.id, h.status]))
        const wrongHolds = holds.filter((h) => dbHolds[h.id] !== h.status)
        if (wrongHolds.length) {
          throw new Mismatch(`holds differ: ${wrongHolds.map((h) => `${h.id} database ${dbHolds[h.id]}, model ${h.status}`).join("; ")}\n${log.join("\n")}`)
        }
      }
      const v = await service.verify()
      if (!v.ok) {
        throw new Mismatch(`verify() failed: ${JSON.stringify(v.checks.filter((c) => !c.ok))}\n${log.join("\n")}`)
      }
    })

    await fc.assert(property, {
      numRuns: Number(process.env.FC_RUNS ?? 30),
      seed,
      // shrinking a counterexample replays whole sequences against the database: cap it
      interruptAfterTimeLimit: 60_000,
    })
    expect(run).toBeGreaterThan(0)
    if (process.env.FC_STATS) console.log(run, JSON.stringify(stats, Object.keys(stats).sort(), 1))
    await expectVerified(service)
  })
})
