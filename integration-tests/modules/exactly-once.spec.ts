import { postCaptures } from "../../src/providers/account/captures"
import { ledgerModuleSuite, expectCode } from "../support/ledger-runner"
import { countRows, expectRejectedCleanly, expectVerified, settle, sleep, snapshot } from "../support/ledger-helpers"

jest.setTimeout(90000)

const SALES = "acc_sys_usd_redemptions"
const LAPSED = "acc_sys_usd_lapsed"
const RTC = "acc_sys_usd_refunds_to_credit"

/** Rejects if `promise` has not settled within `ms`: a lock wait that should not happen. */
const within = <T>(ms: number, promise: Promise<T>, what: string) =>
  Promise.race([promise, sleep(ms).then(() => Promise.reject(new Error(`${what}: still waiting after ${ms} ms`)))])

/**
 * Regression tests for issue 7: each names the bug it covers. Every refusal is checked to
 * write nothing, and verify() to stay clean.
 */
ledgerModuleSuite("exactly-once", ({ service, db, events }) => {
  const wallet = (initial: number | string = 100, extra: Record<string, unknown> = {}) =>
    service.createAccount({ name: "Wallet", currency_code: "usd", initial_amount: initial || undefined, ...extra } as any)

  describe("item 3: one lock order for core accounts", () => {
    it("a freeze waiting for a credit in flight does not hold the sales row meanwhile (no deadlock)", async () => {
      await wallet(10)
      // A credit in flight holds one of the sales account's shards...
      const credit = await db.transaction()
      await credit.raw(`SELECT 1 FROM ledger_balance_shard WHERE account_id = ? AND shard = 3 FOR NO KEY UPDATE`, [SALES])
      const freezing = service.freezeAccount(SALES)
      await sleep(300)
      // ...and, refused on its shard, takes the account row next: the freeze must not hold it.
      await within(5000, credit.raw(`SELECT 1 FROM ledger_account WHERE id = ? FOR NO KEY UPDATE`, [SALES]), "row lock")
      await credit.commit()
      expect((await freezing).status).toBe("frozen")
      await service.thawAccount(SALES)
      await expectVerified(service)
    })

    it("orders, refunds out of the sales account and freeze/thaw of it, mixed at concurrency 16: no deadlock", async () => {
      const ws = await Promise.all(Array.from({ length: 8 }, () => wallet(500)))
      const spends = await Promise.all(ws.map((w) => service.redeem(w.id, 100)))
      const allowed = new Set(["account_frozen", "refund_exceeds_transfer", "insufficient_funds"])
      const until = Date.now() + 4000
      const codes: string[] = []
      let done = 0
      const worker = async (n: number) => {
        for (let i = 0; Date.now() < until; i++) {
          const pick = (n + i) % 8
          const op =
            n === 0 ? service.freezeAccount(SALES) :
            n === 1 ? service.thawAccount(SALES) :
            n % 3 === 0 ? service.refund(spends[pick].id, "0.10") :
            service.redeem(ws[pick].id, "0.25")
          const { codes: c } = await settle([op as Promise<unknown>])
          codes.push(...c)
          done++
        }
      }
      await Promise.all(Array.from({ length: 16 }, (_, n) => worker(n)))
      expect(codes.filter((c) => !allowed.has(c))).toEqual([])
      expect(done).toBeGreaterThan(100)
      await service.thawAccount(SALES)
      await expectVerified(service)
    })
  })

  describe("items 4 and 8: expiry and holds", () => {
    const expiringSoon = async (initial: number) => {
      const acc = await wallet(initial, { end_date: new Date(Date.now() + 1500) })
      return acc
    }

    it("the sweep takes no lock on a hold being captured (item 4), and that hold is still captured after it (item 8)", async () => {
      const acc = await expiringSoon(100)
      const hold = await service.hold(acc.id, 30)
      await sleep(1700)
      // A capture in flight holds the hold's row.
      const capture = await db.transaction()
      await capture.raw(`SELECT 1 FROM ledger_hold WHERE id = ? FOR NO KEY UPDATE`, [hold.id])
      const swept = await within(5000, service.closeExpiredAccounts(), "sweep")
      await capture.commit()
      expect(swept.kept_for_holds).toEqual([acc.id])
      expect(await service.getAccount(acc.id)).toMatchObject({ status: "open", balance: "30.00", held: "30.00" })
      expect((await service.getAccount(LAPSED)).balance).toBe("70.00")

      const captured = await service.capture(hold.id, { amount: 25 })
      expect(captured).toMatchObject({ kind: "capture", amount: "25.00", source_balance: "5.00" })
      // an order refund of the capture still reaches the (expired, open) account...
      await service.refund(captured.id, 10)
      expect((await service.getAccount(acc.id)).balance).toBe("15.00")
      // ...and the next sweep lapses what is left and closes it
      expect((await service.closeExpiredAccounts()).closed).toEqual([acc.id])
      expect(await service.getAccount(acc.id)).toMatchObject({ status: "closed", balance: "0.00", held: "0.00" })
      expect((await service.getAccount(LAPSED)).balance).toBe("85.00")
      await expectVerified(service)
    })

    it("a released hold of an expired account lapses at once", async () => {
      const acc = await expiringSoon(50)
      const hold = await service.hold(acc.id, 20)
      await sleep(1700)
      await service.closeExpiredAccounts()
      expect(await service.getAccount(acc.id)).toMatchObject({ status: "open", balance: "20.00", held: "20.00" })
      await service.release(hold.id)
      expect(await service.getAccount(acc.id)).toMatchObject({ status: "closed", balance: "0.00", held: "0.00" })
      expect((await service.getAccount(LAPSED)).balance).toBe("50.00")
      await expectVerified(service)
    })

    it("captures and sweeps racing on accounts that expired with holds: no deadlock, every capture posts", async () => {
      const accounts = await Promise.all(Array.from({ length: 12 }, () => expiringSoon(40)))
      const holds = await Promise.all(accounts.map((a) => service.hold(a.id, 15)))
      await sleep(1700)
      const work = [
        ...holds.map((h) => service.capture(h.id, { amount: 10 })),
        ...Array.from({ length: 4 }, () => service.closeExpiredAccounts()),
      ]
      const { ok, codes } = await settle(work as Promise<any>[])
      expect(codes).toEqual([])
      expect(ok.slice(0, holds.length).every((t: any) => t.kind === "capture" && t.amount === "10.00")).toBe(true)
      await service.closeExpiredAccounts()
      for (const a of accounts) {
        expect(await service.getAccount(a.id)).toMatchObject({ status: "closed", balance: "0.00" })
      }
      expect((await service.getAccount(LAPSED)).balance).toBe(String(12 * 30) + ".00")
      await expectVerified(service)
    })
  })

  describe("item 5: creditFromRefunds is keyed like every posting", () => {
    const credit = (amount: number, key: string, extra: Record<string, unknown> = {}) => (accountId: string) =>
      service.creditFromRefunds(
        { merchant_reference: "order_1", currency_code: "usd", amount, ceiling: 100, account_id: accountId, ...extra },
        { idempotency_key: key }
      )

    it("(a) the key reused with another order, amount or account is idempotency_conflict", async () => {
      const w = await wallet(0)
      const other = await wallet(0)
      await credit(40, "rtc-1")(w.id)
      for (const call of [
        () => credit(40, "rtc-1", { merchant_reference: "order_2" })(w.id),
        () => credit(41, "rtc-1")(w.id),
        () => credit(40, "rtc-1")(other.id),
      ]) {
        await expectRejectedCleanly(db, call, "idempotency_conflict")
      }
      const again = await credit(40, "rtc-1")(w.id)
      expect(again.replayed).toBe(true)
      expect((await service.getAccount(w.id)).balance).toBe("40.00")
    })

    it("(b) a key that named a redemption is refused, not returned as the credit", async () => {
      const w = await wallet(50)
      await service.redeem(w.id, 5, { idempotency_key: "spent" })
      await expectRejectedCleanly(db, () => credit(20, "spent")(w.id), "idempotency_conflict")
      expect((await service.getAccount(w.id)).balance).toBe("45.00")
    })

    it("(c, d) parallel calls with one key post once, all return it, one of them as new, one event", async () => {
      const w = await wallet(0)
      events.clear()
      const results = await Promise.all(Array.from({ length: 6 }, () => credit(30, "rtc-par")(w.id)))
      expect(new Set(results.map((r) => r.transfer.id)).size).toBe(1)
      expect(results.filter((r) => !r.replayed)).toHaveLength(1)
      expect((await service.getAccount(w.id)).balance).toBe("30.00")
      expect(events.named("ledger.transfer.created").map((e) => e.data.id)).toEqual([results[0].transfer.id])
      await expectVerified(service)
    })

    it("a guest's credit (a new code account) replays under its key, also in parallel", async () => {
      const results = await Promise.all(
        Array.from({ length: 4 }, () =>
          service.creditFromRefunds(
            { merchant_reference: "order_g", currency_code: "usd", amount: 12, ceiling: 12, new_account: { name: "Refund", generate_code: true } },
            { idempotency_key: "guest-1" }
          )
        )
      )
      expect(new Set(results.map((r) => r.account.id)).size).toBe(1)
      expect(results.filter((r) => !r.replayed)).toHaveLength(1)
      expect(results[0].account.balance).toBe("12.00")
      expect(await countRows(db, "ledger_account", "code IS NOT NULL")).toBe(1)
      await expectVerified(service)
    })
  })

  describe("item 6: ensureWallet", () => {
    it("opens a new wallet when the customer's wallet is closed, once under concurrency", async () => {
      const first = await service.ensureWallet("cus_1", "usd")
      await service.closeAccount(first.id)
      const next = await Promise.all(Array.from({ length: 5 }, () => service.ensureWallet("cus_1", "usd")))
      expect(new Set(next.map((w) => w.id)).size).toBe(1)
      expect(next[0].id).not.toBe(first.id)
      expect(next[0].status).toBe("open")
      const { account } = await service.creditFromRefunds(
        { merchant_reference: "order_1", currency_code: "usd", amount: 5, ceiling: 5, account_id: next[0].id },
        {}
      )
      expect(account.balance).toBe("5.00")
      // and again after that one is closed too
      await service.withdraw(next[0].id, 5)
      await service.closeAccount(next[0].id)
      const third = await service.ensureWallet("cus_1", "usd")
      expect([first.id, next[0].id]).not.toContain(third.id)
      expect(await service.ensureWallet("cus_1", "usd")).toMatchObject({ id: third.id })
    })

    it("returns a frozen wallet as it is: a freeze is not dodged by opening another", async () => {
      const first = await service.ensureWallet("cus_2", "usd")
      await service.freezeAccount(first.id)
      expect(await service.ensureWallet("cus_2", "usd")).toMatchObject({ id: first.id, status: "frozen" })
    })
  })

  describe("item 7: an idempotency key names one operation", () => {
    it("a createAccount key is refused for a top-up or a hold, and the creation still replays", async () => {
      const other = await wallet(100)
      const created = await service.createAccount({ name: "Card", currency_code: "usd", initial_amount: 25 }, { idempotency_key: "k-create" })
      await expectRejectedCleanly(db, () => service.topUp(other.id, 10, { idempotency_key: "k-create" }), "idempotency_conflict")
      // the same top-up of the created account with its initial amount used to replay its load
      await expectRejectedCleanly(db, () => service.topUp(created.id, 25, { idempotency_key: "k-create" }), "idempotency_conflict")
      await expectRejectedCleanly(db, () => service.hold(other.id, 10, { idempotency_key: "k-create" }), "idempotency_conflict")
      const again = await service.createAccount({ name: "Card", currency_code: "usd", initial_amount: 25 }, { idempotency_key: "k-create" })
      expect(again.id).toBe(created.id)
      expect(again.balance).toBe("25.00")
    })

    it("a top-up key is refused for createAccount and holds; a hold key for transfers and accounts", async () => {
      const acc = await wallet(100)
      await service.createAccount({ name: "Plain", currency_code: "usd" }, { idempotency_key: "k-empty" })
      await expectRejectedCleanly(db, () => service.topUp(acc.id, 5, { idempotency_key: "k-empty" }), "idempotency_conflict")
      await service.topUp(acc.id, 5, { idempotency_key: "k-top" })
      await expectRejectedCleanly(db, () => service.createAccount({ name: "X", currency_code: "usd" }, { idempotency_key: "k-top" }), "idempotency_conflict")
      await expectRejectedCleanly(db, () => service.hold(acc.id, 5, { idempotency_key: "k-top" }), "idempotency_conflict")
      const hold = await service.hold(acc.id, 5, { idempotency_key: "k-hold" })
      await expectRejectedCleanly(db, () => service.redeem(acc.id, 5, { idempotency_key: "k-hold" }), "idempotency_conflict")
      await expectRejectedCleanly(db, () => service.createAccount({ name: "X", currency_code: "usd" }, { idempotency_key: "k-hold" }), "idempotency_conflict")
      expect((await service.hold(acc.id, 5, { idempotency_key: "k-hold" })).id).toBe(hold.id)
      expect((await service.topUp(acc.id, 5, { idempotency_key: "k-top" })).replayed).toBe(true)
      expect((await service.createAccount({ name: "Plain", currency_code: "usd" }, { idempotency_key: "k-empty" })).balance).toBe("0.00")
      await expectVerified(service)
    })
  })

  describe("item 9: posting one capture from two places at once", () => {
    it("the capture subscriber and a refund racing over one Medusa capture post it once and both succeed", async () => {
      const acc = await wallet(100)
      const hold = await service.hold(acc.id, 60)
      const data = { account_id: acc.id, currency_code: "usd", amount: "60", hold_id: hold.id }
      const first = await Promise.all(Array.from({ length: 6 }, () => postCaptures(service, data, [{ id: "cap_1", amount: "40" }])))
      expect(new Set(first.map(([t]) => t.id)).size).toBe(1)
      expect(first[0][0]).toMatchObject({ kind: "capture", amount: "40.00" })
      // a second capture of the payment, the hold now taken: paid straight from the account, once
      const second = await Promise.all(
        Array.from({ length: 6 }, () => postCaptures(service, data, [{ id: "cap_1", amount: "40" }, { id: "cap_2", amount: "15" }]))
      )
      expect(new Set(second.map((ts) => ts[1].id)).size).toBe(1)
      expect(second[0][1]).toMatchObject({ kind: "redemption", amount: "15.00" })
      expect(await service.getAccount(acc.id)).toMatchObject({ balance: "45.00", held: "0.00" })
      expect(await countRows(db, "ledger_transfer", "source_id = ? AND kind IN ('capture', 'redemption')", [acc.id])).toBe(2)
      await expectVerified(service)
    })
  })

  describe("item 10: amounts are exact at the limits", () => {
    it.each([
      ["jpy", "999999999999", "999999999999"],
      ["usd", "999999999999.99", "999999999999.99"],
      ["kwd", "999999999999.999", "999999999999.999"],
      ["clf", "999999999999.9997", "999999999999.9997"],
      ["clf", "0.0001", "0.0001"],
      ["usd", "0.1", "0.10"],
    ])("%s %s reads back as %s everywhere, and the refundable amount refunds", async (currency, amount, shown) => {
      const acc = await service.createAccount({ name: "Big", currency_code: currency, initial_amount: amount })
      expect(acc.balance).toBe(shown)
      expect(acc.available).toBe(shown)
      const spend = await service.redeem(acc.id, amount)
      expect(spend.amount).toBe(shown)
      const refundable = await service.refundableAmount(spend.id)
      expect(refundable).toBe(shown)
      const back = await service.refund(spend.id, refundable)
      expect(back).toMatchObject({ amount: shown, destination_balance: shown })
      expect((await service.getBalances([acc.id]))[acc.id]).toBe(shown)
      const { lines } = await service.statement(acc.id)
      expect(lines[0]).toMatchObject({ amount: shown, balance_after: shown })
      const sales = await service.statement(`acc_sys_${currency}_redemptions`, { order: "asc" })
      expect(sales.lines.map((l) => l.balance_after)).toEqual([shown, (await service.getAccount(`acc_sys_${currency}_redemptions`)).balance])
      // through JSON, as the API sends it, nothing changes
      expect(JSON.parse(JSON.stringify(await service.getAccount(acc.id))).balance).toBe(shown)
      const hold = await service.hold(acc.id, amount)
      expect(hold).toMatchObject({ amount: shown, currency_code: currency })
      await expectVerified(service)
    })
  })

  describe("item 11: events go out after the outermost commit", () => {
    const outer = async (run: (ctx: any) => Promise<unknown>, commit: boolean) => {
      const rollback = new Error("rolled back by the test")
      await (service as any).baseRepository_
        .transaction(async (manager: any) => {
          await run({ transactionManager: manager })
          // Nothing was emitted while the caller's transaction is open.
          expect(events.messages).toEqual([])
          if (!commit) throw rollback
        })
        .catch((e: unknown) => {
          if (e !== rollback) throw e
        })
      await sleep(50)
    }

    it("a nested wallet creation and posting emit only once the caller commits", async () => {
      events.clear()
      await outer(async (ctx) => {
        const w = await service.ensureWallet("cus_9", "usd", ctx)
        await service.topUp(w.id, 5, {}, ctx)
      }, true)
      expect(events.messages.map((m) => m.name).sort()).toEqual(["ledger.account.created", "ledger.transfer.created"])
    })

    it("an account creation replayed by its idempotency key emits nothing the second time", async () => {
      events.clear()
      const input = { name: "Keyed", currency_code: "usd", initial_amount: 5 }
      const first = await service.createAccount(input, { idempotency_key: "create-once" })
      await sleep(50)
      // The initial load is part of the creation's event (initial_amount).
      expect(events.messages.map((m) => [m.name, m.data.initial_amount])).toEqual([["ledger.account.created", "5.00"]])
      events.clear()
      const again = await service.createAccount(input, { idempotency_key: "create-once" })
      await sleep(50)
      expect(again.id).toBe(first.id)
      expect(events.messages).toEqual([])
    })

    it("nothing is emitted for postings rolled back with the caller's transaction", async () => {
      const w = await wallet(50)
      events.clear()
      await outer(async (ctx) => {
        await service.redeem(w.id, 5, {}, ctx)
        await service.creditFromRefunds(
          { merchant_reference: "order_1", currency_code: "usd", amount: 3, ceiling: 3, new_account: { name: "Guest", generate_code: true } },
          {},
          ctx
        )
      }, false)
      expect(events.messages).toEqual([])
      expect((await service.getAccount(w.id)).balance).toBe("50.00")
    })
  })

  describe("item 2: refunds to store credit move all or nothing", () => {
    it("a refund into a closed account refuses the whole request, the credit included", async () => {
      const card = await wallet(20)
      const spend = await service.redeem(card.id, 20)
      await service.closeAccount(card.id)
      const request = {
        merchant_reference: "order_1",
        currency_code: "usd",
        refunds: [{ kind: "refund" as const, parent: spend.id, amount: 20, options: { idempotency_key: "r:1" } }],
        credit: { amount: 20, ceiling: 50, customer_id: "cus_1", options: { idempotency_key: "r:credit" } },
      }
      await expectRejectedCleanly(db, () => service.checkRefundToStoreCredit(request), "account_closed")
      for (let i = 0; i < 2; i++) {
        await expectRejectedCleanly(db, () => service.refundToStoreCredit(request), "account_closed")
      }
      expect(await countRows(db, "ledger_account", "customer_id = 'cus_1'")).toBe(0)
    })

    it("postAll is all or none, and checkAll writes nothing either way", async () => {
      const a = await wallet(30)
      const frozen = await wallet(30)
      await service.freezeAccount(frozen.id)
      const postings = [
        { kind: "redemption" as const, source_id: a.id, destination_id: "@redemptions", amount: 10 },
        { kind: "transfer" as const, source_id: a.id, destination_id: frozen.id, amount: 5 },
      ]
      await expectRejectedCleanly(db, () => service.checkAll(postings), "account_frozen")
      await expectRejectedCleanly(db, () => service.postAll(postings), "account_frozen")
      const before = await snapshot(db)
      await service.checkAll(postings.slice(0, 1))
      expect(await snapshot(db)).toEqual(before)
      const [t] = await service.postAll(postings.slice(0, 1))
      expect(t.source_balance).toBe("20.00")
      await expectVerified(service)
    })
  })

  describe("item 16: core accounts read and sort by their live balance", () => {
    it("lists ordered by balance with core accounts where their live balance puts them", async () => {
      const small = await wallet(5)
      const big = await wallet(500)
      await service.redeem(big.id, 300) // the sales account: 300, all of it in shard rows
      const [desc] = await service.listAndCountLedgerAccounts({ currency_code: "usd" }, { order: { balance: "DESC" }, take: 3 } as any)
      expect(desc.map((a: any) => a.id)).toEqual([SALES, big.id, small.id])
      const [asc] = await service.listAndCountLedgerAccounts({ currency_code: "usd" }, { order: { balance: "ASC" }, take: 1 } as any)
      expect(asc.map((a: any) => a.id)).toEqual(["acc_sys_usd_unpaid_source"])
    })

    it("pages a core account's statement with exact running balances, newest or oldest first", async () => {
      const ws = await Promise.all(Array.from({ length: 3 }, () => wallet(100)))
      const amounts: number[] = []
      for (let i = 0; i < 30; i++) {
        const amount = (i % 7) + 1
        amounts.push(amount)
        await service.redeem(ws[i % 3].id, amount)
      }
      const running = amounts.map((_, i) => amounts.slice(0, i + 1).reduce((a, b) => a + b, 0))
      const all = await service.statement(SALES, { order: "asc", limit: 1000 })
      expect(all.lines.map((l) => Number(l.balance_after))).toEqual(running)
      for (const [offset, limit] of [[0, 5], [7, 4], [25, 10]]) {
        const desc = await service.statement(SALES, { offset, limit })
        expect(desc.count).toBe(30)
        expect(desc.lines.map((l) => Number(l.balance_after))).toEqual([...running].reverse().slice(offset, offset + limit))
        const asc = await service.statement(SALES, { order: "asc", offset, limit })
        expect(asc.lines.map((l) => Number(l.balance_after))).toEqual(running.slice(offset, offset + limit))
      }
    })
  })

  it("verify stays clean after everything above in one ledger", async () => {
    const w = await wallet(10)
    await expectCode(service.redeem(w.id, 11), "insufficient_funds")
    await expectVerified(service)
    expect(RTC).toMatch(/^acc_sys_/)
  })
})
