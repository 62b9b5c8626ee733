import { ledgerModuleSuite } from "../support/ledger-runner"
import { countRows, dbBalance, expectVerified, settle } from "../support/ledger-helpers"

jest.setTimeout(120000)

const SALES = "acc_sys_usd_redemptions"

/** Counts of each error code, e.g. { insufficient_funds: 22 }. */
const tally = (codes: string[]) => codes.reduce<Record<string, number>>((m, c) => ({ ...m, [c]: (m[c] ?? 0) + 1 }), {})

ledgerModuleSuite("races", ({ service, db }) => {
  const wallet = (initial: number | string, extra: Record<string, unknown> = {}) =>
    service.createAccount({ name: "Wallet", currency_code: "usd", initial_amount: initial, ...extra } as any)

  it("32 concurrent 10.00 debits from 100.00 (credit limit 0): exactly 10 succeed", async () => {
    const acc = await wallet(100)
    const { ok, codes } = await settle(Array.from({ length: 32 }, () => service.redeem(acc.id, "10.00")))
    expect(ok).toHaveLength(10)
    expect(tally(codes)).toEqual({ insufficient_funds: 22 })
    const after = await dbBalance(db, acc.id)
    expect([Number(after.balance), Number(after.held), Number(after.entries)]).toEqual([0, 0, 0])
    expect(Number((await service.getAccount(SALES)).balance)).toBe(100)
    // the balances the postings returned are each distinct steps down to zero
    expect(ok.map((t) => Number(t.source_balance)).sort((a, b) => a - b)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90])
    expect(await countRows(db, "ledger_transfer", "kind = 'redemption'")).toBe(10)
    await expectVerified(service)
  })

  it("32 concurrent 10.00 debits from 100.00 with a credit limit of 50.00: exactly 15 succeed", async () => {
    const acc = await wallet(100, { credit_limit: "50.00" })
    const { ok, codes } = await settle(Array.from({ length: 32 }, () => service.redeem(acc.id, 10)))
    expect(ok).toHaveLength(15)
    expect(tally(codes)).toEqual({ insufficient_funds: 17 })
    expect(await service.getAccount(acc.id)).toMatchObject({ balance: "-50.00", available: "0.00" })
    expect(Number((await service.getAccount(SALES)).balance)).toBe(150)
    await expectVerified(service)
  })

  it("debits to different destinations and transfers both ways never overspend or deadlock", async () => {
    const a = await wallet(100)
    const b = await wallet(100)
    const c = await wallet(100)
    const calls: Promise<unknown>[] = []
    for (let i = 0; i < 15; i++) {
      calls.push(service.transfer(a.id, b.id, 10))
      calls.push(service.transfer(b.id, a.id, 10))
      calls.push(service.transfer(c.id, a.id, 5))
      calls.push(service.redeem(a.id, 7))
    }
    const { codes } = await settle(calls)
    // only insufficient_funds may be refused: a deadlock or any other error fails settle()
    expect(Object.keys(tally(codes)).filter((c) => c !== "insufficient_funds")).toEqual([])
    for (const acc of [a, b, c]) {
      const { balance, entries } = await dbBalance(db, acc.id)
      expect(Number(balance)).toBeGreaterThanOrEqual(0)
      expect(Number(balance)).toBe(Number(entries))
    }
    const total = (await Promise.all([a, b, c].map((x) => service.getAccount(x.id)))).reduce((s, x) => s + Number(x.balance), 0)
    expect(total + Number((await service.getAccount(SALES)).balance)).toBe(300)
    await expectVerified(service)
  })

  it("16 parallel workers credit the sales account 1,000 times: its cached balance equals its entries", async () => {
    const workers = 16
    const total = 1000
    const accounts = []
    for (let i = 0; i < workers; i++) {
      accounts.push(await wallet(1000))
    }
    let expected = 0
    const plans = accounts.map((acc, w) => {
      const n = Math.floor(total / workers) + (w < total % workers ? 1 : 0)
      const cents = Array.from({ length: n }, (_, j) => ((w * 7 + j * 13) % 300) + 1)
      expected += cents.reduce((s, x) => s + x, 0)
      return { acc, amounts: cents.map((c) => (c / 100).toFixed(2)) }
    })
    expect(plans.reduce((s, p) => s + p.amounts.length, 0)).toBe(total)
    await Promise.all(
      plans.map(async ({ acc, amounts }) => {
        for (const amount of amounts) {
          await service.redeem(acc.id, amount)
        }
      })
    )
    const sales = await dbBalance(db, SALES)
    expect(sales.balance).toBe(sales.entries)
    expect(Math.round(Number(sales.balance) * 100)).toBe(expected)
    expect(await countRows(db, "ledger_entry", "account_id = ?", [SALES])).toBe(total)
    // the sales account's statement runs through every posting in order
    const last = await service.statement(SALES, { limit: 1 })
    expect(last.count).toBe(total)
    expect(Math.round(Number(last.lines[0].balance_after) * 100)).toBe(expected)
    await expectVerified(service)
  })

  it("two concurrent reversals of one transfer: exactly one succeeds", async () => {
    const acc = await wallet(1000)
    const transfers = []
    for (let i = 0; i < 10; i++) {
      transfers.push(await service.redeem(acc.id, 10 + i))
    }
    const { ok, codes } = await settle(transfers.flatMap((t) => [service.reverse(t.id), service.reverse(t.reference)]))
    expect(ok).toHaveLength(10)
    expect(tally(codes)).toEqual({ already_reversed: 10 })
    expect(new Set(ok.map((r) => r.parent_id)).size).toBe(10)
    expect(Number((await service.getAccount(acc.id)).balance)).toBe(1000)
    expect(Number((await service.getAccount(SALES)).balance)).toBe(0)
    await expectVerified(service)
  })

  it("20 concurrent refunds of 10 on a 100 transfer: exactly 10 succeed", async () => {
    const acc = await wallet(100)
    const t = await service.redeem(acc.id, 100)
    const { ok, codes } = await settle(Array.from({ length: 20 }, () => service.refund(t.id, 10)))
    expect(ok).toHaveLength(10)
    expect(tally(codes)).toEqual({ refund_exceeds_transfer: 10 })
    expect(Number((await service.getAccount(acc.id)).balance)).toBe(100)
    expect(await service.refundableAmount(t.id)).toBe("0.00")
    await expectVerified(service)
  })

  it("concurrent refunds and reversals of one transfer never move more than its amount", async () => {
    const acc = await wallet(500)
    for (let round = 0; round < 5; round++) {
      const t = await service.redeem(acc.id, 100)
      const calls: Promise<any>[] = []
      for (let i = 0; i < 12; i++) {
        calls.push(service.refund(t.id, 15))
        if (i % 4 === 0) calls.push(service.reverse(t.id))
      }
      const { ok, codes } = await settle(calls)
      const moved = ok.reduce((s, r) => s + Number(r.amount), 0)
      expect(moved).toBeLessThanOrEqual(100)
      expect(ok.filter((r) => r.kind === "reversal").length).toBeLessThanOrEqual(1)
      expect(Object.keys(tally(codes)).filter((c) => !["refund_exceeds_transfer", "already_reversed"].includes(c))).toEqual([])
      const { rows } = await db.raw(`SELECT coalesce(sum(amount), 0)::numeric AS s FROM ledger_transfer WHERE parent_id = ?`, [t.id])
      expect(Number(rows[0].s)).toBe(moved)
      // with a reversal among them, everything came back
      if (ok.some((r) => r.kind === "reversal")) expect(moved).toBe(100)
    }
    expect(Number((await service.getAccount(acc.id)).balance) + Number((await service.getAccount(SALES)).balance)).toBe(500)
    await expectVerified(service)
  })

  it("the same idempotency key sent 20 times at once: one transfer, 20 identical answers", async () => {
    const acc = await wallet(100)
    const { ok, codes } = await settle(Array.from({ length: 20 }, () => service.redeem(acc.id, 10, { idempotency_key: "order_42" })))
    expect(codes).toEqual([])
    expect(new Set(ok.map((t) => t.id)).size).toBe(1)
    expect(ok.filter((t) => !t.replayed)).toHaveLength(1)
    expect(await countRows(db, "ledger_transfer", "idempotency_key = 'order_42'")).toBe(1)
    expect(Number((await service.getAccount(acc.id)).balance)).toBe(90)

    // with different arguments racing for one key: one wins, the others conflict
    const race = await settle(Array.from({ length: 10 }, (_, i) => service.redeem(acc.id, i + 1, { idempotency_key: "order_43" })))
    expect(race.ok).toHaveLength(1)
    expect(tally(race.codes)).toEqual({ idempotency_conflict: 9 })
    expect(await countRows(db, "ledger_transfer", "idempotency_key = 'order_43'")).toBe(1)

    // holds and account creation with a key, too
    const holds = await settle(Array.from({ length: 20 }, () => service.hold(acc.id, 5, { idempotency_key: "cart_1" })))
    expect(holds.codes).toEqual([])
    expect(new Set(holds.ok.map((h) => h.id)).size).toBe(1)
    expect(await countRows(db, "ledger_hold")).toBe(1)
    expect(Number((await service.getAccount(acc.id)).held)).toBe(5)
    const created = await settle(
      Array.from({ length: 10 }, () => service.createAccount({ name: "Gift", currency_code: "usd", initial_amount: 25 }, { idempotency_key: "gift_1" }))
    )
    expect(created.codes).toEqual([])
    expect(new Set(created.ok.map((a) => a.id)).size).toBe(1)
    expect(await countRows(db, "ledger_account", "name = 'Gift'")).toBe(1)
    await expectVerified(service)
  })

  it("concurrent holds never exceed the available balance", async () => {
    const acc = await wallet(100)
    const { ok, codes } = await settle(Array.from({ length: 32 }, () => service.hold(acc.id, 10)))
    expect(ok).toHaveLength(10)
    expect(tally(codes)).toEqual({ insufficient_funds: 22 })
    expect(await service.getAccount(acc.id)).toMatchObject({ balance: "100.00", held: "100.00", available: "0.00" })

    // holds and debits racing on another account share the same 100
    const mixed = await wallet(100, { credit_limit: 20 })
    const calls: Promise<unknown>[] = []
    for (let i = 0; i < 16; i++) {
      calls.push(service.hold(mixed.id, 10))
      calls.push(service.redeem(mixed.id, 10))
    }
    const r = await settle(calls)
    expect(r.ok).toHaveLength(12)
    expect(tally(r.codes)).toEqual({ insufficient_funds: 20 })
    const after = await service.getAccount(mixed.id)
    expect(Number(after.balance) - Number(after.held)).toBe(-20)
    await expectVerified(service)
  })

  it("racing capture and release of one hold: exactly one wins", async () => {
    const acc = await wallet(1000)
    for (let i = 0; i < 8; i++) {
      const h = await service.hold(acc.id, 50)
      const r = await settle<any>([
        service.capture(h.id),
        service.capture(h.id, { amount: 20 }),
        service.release(h.id),
        service.release(h.id),
      ])
      const captured = r.ok.filter((x) => x.kind === "capture")
      const released = r.ok.filter((x) => x.status === "released")
      // either one capture (and no release), or releases (and no capture)
      expect(captured.length <= 1).toBe(true)
      expect(captured.length === 1 ? released.length : 0).toBe(0)
      expect(r.codes.every((c) => c === "hold_not_open")).toBe(true)
      const [row] = (await db.raw(`SELECT status, captured_amount::numeric AS c FROM ledger_hold WHERE id = ?`, [h.id])).rows
      expect(row.status).toBe(captured.length ? "captured" : "released")
    }
    expect(Number((await service.getAccount(acc.id)).held)).toBe(0)
    await expectVerified(service)
  })

  it("lowering a credit limit while debits race never leaves an account beyond its limit", async () => {
    for (let round = 0; round < 4; round++) {
      const acc = await service.createAccount({ name: "Credit", currency_code: "usd", credit_limit: 100 })
      const calls: Promise<unknown>[] = Array.from({ length: 12 }, () => service.redeem(acc.id, 10))
      calls.splice(3 + round, 0, service.updateAccount(acc.id, { credit_limit: 50 }))
      const { codes } = await settle(calls)
      expect(codes.every((c) => c === "insufficient_funds" || c === "invalid_credit_limit")).toBe(true)
      const after = await service.getAccount(acc.id)
      expect(Number(after.balance) - Number(after.held)).toBeGreaterThanOrEqual(-Number(after.credit_limit))
      expect(["50.00", "100.00"]).toContain(after.credit_limit)
      // the limit was lowered only if the debits before it fit under it
      if (after.credit_limit === "50.00") expect(Number(after.balance)).toBe(-50)
      else expect(Number(after.balance)).toBe(-100)
    }
    await expectVerified(service)
  })

  it("closing while money arrives: a closed account is always empty", async () => {
    for (let i = 0; i < 8; i++) {
      const acc = await service.createAccount({ name: "Closing", currency_code: "usd" })
      const r = await settle<any>([service.closeAccount(acc.id), service.topUp(acc.id, 5), service.closeAccount(acc.id)])
      expect(r.codes.every((c) => ["account_closed", "account_not_empty"].includes(c))).toBe(true)
      const after = await service.getAccount(acc.id)
      if (after.status === "closed") {
        expect(Number(after.balance)).toBe(0)
      } else {
        expect(Number(after.balance)).toBe(5)
      }
    }
    await expectVerified(service)
  })
})
