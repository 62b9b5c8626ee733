import { ledgerModuleSuite } from "../support/ledger-runner"
import { expectRejectedCleanly, expectVerified, countRows, settle } from "../support/ledger-helpers"

jest.setTimeout(120000)

const DAY = 86_400_000
const inDays = (n: number) => new Date(Date.now() + n * DAY)

ledgerModuleSuite("lots", ({ service, db, events }) => {
  const wallet = (extra: Record<string, unknown> = {}) =>
    service.createAccount({ name: "Wallet", currency_code: "usd", ...extra })
  const grant = (id: string, amount: number, expires_at?: Date | null) =>
    service.topUp(id, amount, { expires_at: expires_at ?? null })
  const lots = async (id: string, status: "active" | "expired" | "used" | "all" = "all") =>
    (await service.listLots(id, { status })).lots.map((l) => [l.amount, l.remaining, l.reserved, l.status])
  // Lots are mutable rows: a test moves one's expiry into the past instead of waiting for it.
  const expireLot = async (accountId: string, amount: string) =>
    db.raw(
      `UPDATE ledger_lot SET expires_at = now() - interval '1 second'
        WHERE id = (SELECT id FROM ledger_lot WHERE account_id = ? AND amount = ?::numeric ORDER BY seq LIMIT 1)`,
      [accountId, amount]
    )

  it("the README's worked example: grant, grant, spend, refund, sweep", async () => {
    const acc = await wallet()
    await grant(acc.id, 10, inDays(31)) // A: the points, expiring last
    await grant(acc.id, 20, inDays(11)) // B: the goodwill credit, expiring first
    const order = await service.redeem(acc.id, 25)
    await service.refund(order.id, 8)
    await expireLot(acc.id, "20") // B's day passes
    const swept = await service.closeExpiredAccounts()
    expect(swept.lapsed_credit.map((l) => l.amount)).toEqual(["3.00"])
    const { lines } = await service.statement(acc.id, { order: "asc" })
    const A = (await service.listLots(acc.id, { status: "all" })).lots.find((l) => l.amount === "10.00")!.id
    const name = (id: string) => (id === A ? "A" : "B")
    expect(lines.map((l) => [l.kind, l.amount, l.balance_after, l.lots!.map((u) => `${u.kind} ${name(u.lot_id)} ${u.amount}`)])).toEqual([
      ["load", "10.00", "10.00", ["credit A 10.00"]],
      ["load", "20.00", "30.00", ["credit B 20.00"]],
      ["redemption", "-25.00", "5.00", ["spend B 20.00", "spend A 5.00"]],
      ["refund", "8.00", "13.00", ["return A 5.00", "return B 3.00"]],
      ["expiry", "-3.00", "10.00", ["lapse B 3.00"]],
    ])
    await expectVerified(service)
  })

  it("an account never given an expiry keeps no lots and behaves as before", async () => {
    const acc = await wallet({ initial_amount: 50 })
    await service.redeem(acc.id, 20)
    await service.topUp(acc.id, 5)
    expect((await service.getAccount(acc.id)).lots_since).toBeNull()
    expect(await countRows(db, "ledger_lot")).toBe(0)
    expect((await service.statement(acc.id)).lines[0].lots).toBeUndefined()
    await expectVerified(service)
  })

  it("spends soonest-expiring first, lots without expiry last, and the statement shows what each debit took", async () => {
    const acc = await wallet({ initial_amount: 5 }) // before lots: becomes a lot without expiry
    const far = await grant(acc.id, 10, inDays(30))
    const soon = await grant(acc.id, 20, inDays(10))
    await grant(acc.id, 7) // no expiry, newer than the opening 5
    expect(await lots(acc.id)).toEqual([
      ["20.00", "20.00", "0.00", "active"],
      ["10.00", "10.00", "0.00", "active"],
      ["5.00", "5.00", "0.00", "active"],
      ["7.00", "7.00", "0.00", "active"],
    ])
    const spent = await service.redeem(acc.id, 25)
    expect(await lots(acc.id)).toEqual([
      ["20.00", "0.00", "0.00", "used"],
      ["10.00", "5.00", "0.00", "active"],
      ["5.00", "5.00", "0.00", "active"],
      ["7.00", "7.00", "0.00", "active"],
    ])
    const line = (await service.statement(acc.id)).lines.find((l) => l.transfer_id === spent.id)!
    expect(line.lots!.map((u) => [u.kind, u.amount])).toEqual([
      ["spend", "20.00"],
      ["spend", "5.00"],
    ])
    expect((await service.listLots(acc.id)).lots.find((l) => l.transfer_id === far.id)!.remaining).toBe("5.00")
    expect((await service.listLots(acc.id, { status: "used" })).lots[0].transfer_reference).toBe(soon.reference)
    // 5 + 5 + 7 left: the rest, oldest no-expiry lot before the newer one
    await service.redeem(acc.id, 12)
    expect(await lots(acc.id, "active")).toEqual([["7.00", "5.00", "0.00", "active"]])
    expect(await service.nextExpiring(acc.id)).toBeNull()
    await expectVerified(service)
  })

  it("a refund returns money to the lots it came from, the last taken first, with their own expiry", async () => {
    const acc = await wallet()
    await grant(acc.id, 10, inDays(5))
    await grant(acc.id, 10, inDays(50))
    const spent = await service.redeem(acc.id, 15) // 10 from the 5-day lot, 5 from the 50-day one
    await service.refund(spent.id, 4)
    expect(await lots(acc.id)).toEqual([
      ["10.00", "0.00", "0.00", "used"],
      ["10.00", "9.00", "0.00", "active"],
    ])
    await service.refund(spent.id, 3) // 1 more to the 50-day lot (all it gave), 2 to the 5-day one
    expect(await lots(acc.id)).toEqual([
      ["10.00", "2.00", "0.00", "active"],
      ["10.00", "10.00", "0.00", "active"],
    ])
    await service.reverse(spent.id) // the remaining 8
    expect(await lots(acc.id)).toEqual([
      ["10.00", "10.00", "0.00", "active"],
      ["10.00", "10.00", "0.00", "active"],
    ])
    expect(await countRows(db, "ledger_lot")).toBe(2) // no new lot
    await expectVerified(service)
  })

  it("taking back a grant takes it from its own lot first", async () => {
    const acc = await wallet()
    const first = await grant(acc.id, 10, inDays(5))
    const second = await grant(acc.id, 10, inDays(60))
    await service.reverse(second.id)
    const left = (await service.listLots(acc.id, { status: "all" })).lots
    expect(left.find((l) => l.transfer_id === first.id)!.remaining).toBe("10.00")
    expect(left.find((l) => l.transfer_id === second.id)!.remaining).toBe("0.00")
    await expectVerified(service)
  })

  it("expired credit cannot be spent; the sweep lapses it once, one transfer per account, and says so", async () => {
    const acc = await wallet()
    await grant(acc.id, 10, inDays(1))
    await grant(acc.id, 6, inDays(2))
    await grant(acc.id, 4)
    await expireLot(acc.id, "10")
    await expireLot(acc.id, "6")
    const error = await expectRejectedCleanly(db, () => service.redeem(acc.id, 5), "insufficient_funds")
    expect(error.message).toContain("16")
    await service.redeem(acc.id, 3) // the unexpired lot still pays
    const before = await countRows(db, "ledger_transfer", "kind = 'expiry'")
    const first = await service.closeExpiredAccounts()
    expect(first.lapsed_credit).toEqual([{ account_id: acc.id, amount: "16.00", currency_code: "usd", transfer_id: expect.any(String) }])
    expect(await countRows(db, "ledger_transfer", "kind = 'expiry'")).toBe(before + 1)
    expect(await service.getAccount(acc.id)).toMatchObject({ status: "open", balance: "1.00" })
    expect(await lots(acc.id, "expired")).toEqual([])
    expect(events.named("ledger.credit.expired").map((e: any) => e.data)).toContainEqual(
      expect.objectContaining({ account_id: acc.id, amount: "16.00" })
    )
    // a second run changes nothing
    expect((await service.closeExpiredAccounts()).lapsed_credit).toEqual([])
    expect(await countRows(db, "ledger_transfer", "kind = 'expiry'")).toBe(before + 1)
    await expectVerified(service)
  })

  it("holds reserve from the soonest lots; a capture takes the reservation even if it expired since; a release gives it back", async () => {
    const acc = await wallet()
    await grant(acc.id, 10, inDays(3))
    await grant(acc.id, 10, inDays(30))
    const hold = await service.hold(acc.id, 8)
    expect(await lots(acc.id)).toEqual([
      ["10.00", "10.00", "8.00", "active"],
      ["10.00", "10.00", "0.00", "active"],
    ])
    // a redemption takes the 2 nobody reserved from the soonest lot, then the later one
    await service.redeem(acc.id, 5)
    expect(await lots(acc.id)).toEqual([
      ["10.00", "8.00", "8.00", "active"],
      ["10.00", "7.00", "0.00", "active"],
    ])
    await expireLot(acc.id, "10") // the reserved lot expires before the capture
    expect((await service.closeExpiredAccounts()).lapsed_credit).toEqual([]) // reserved money does not lapse
    await service.capture(hold.id, { amount: 6 })
    expect(await lots(acc.id)).toEqual([
      ["10.00", "2.00", "0.00", "expired"],
      ["10.00", "7.00", "0.00", "active"],
    ])
    // what the capture did not take is free again, and lapses at the next sweep
    expect((await service.closeExpiredAccounts()).lapsed_credit.map((l) => l.amount)).toEqual(["2.00"])

    const other = await service.hold(acc.id, 7)
    await service.release(other.id)
    expect(await lots(acc.id, "active")).toEqual([["10.00", "7.00", "0.00", "active"]])
    await expectVerified(service)
  })

  it("an expired hold gives its reservation back when a payment needs the room", async () => {
    const acc = await wallet()
    await grant(acc.id, 10, inDays(3))
    await grant(acc.id, 10, inDays(30))
    await service.hold(acc.id, 15, { expires_at: new Date(Date.now() + 700) })
    await new Promise((r) => setTimeout(r, 900))
    await service.redeem(acc.id, 12) // needs the held room: the expired hold is released first
    expect(await lots(acc.id)).toEqual([
      ["10.00", "0.00", "0.00", "used"],
      ["10.00", "8.00", "0.00", "active"],
    ])
    expect((await service.getAccount(acc.id)).held).toBe("0.00")
    await expectVerified(service)
  })

  it("a retried credit replays with its expiry; the key with another expiry is a conflict", async () => {
    const acc = await wallet()
    const at = inDays(20)
    const first = await service.topUp(acc.id, 10, { expires_at: at, idempotency_key: "points-jan" })
    const again = await service.topUp(acc.id, 10, { expires_at: at.toISOString(), idempotency_key: "points-jan" })
    expect([again.id, again.replayed]).toEqual([first.id, true])
    await expectRejectedCleanly(db, () => service.topUp(acc.id, 10, { expires_at: inDays(21), idempotency_key: "points-jan" }), "idempotency_conflict")
    await expectRejectedCleanly(db, () => service.topUp(acc.id, 10, { idempotency_key: "points-jan" }), "idempotency_conflict")
    expect(await lots(acc.id)).toEqual([["10.00", "10.00", "0.00", "active"]])
  })

  it("starts keeping lots with the holds already open reserved from the opening lot", async () => {
    const acc = await wallet({ initial_amount: 30 })
    const hold = await service.hold(acc.id, 12)
    await grant(acc.id, 5, inDays(2))
    expect(await lots(acc.id)).toEqual([
      ["5.00", "5.00", "0.00", "active"],
      ["30.00", "30.00", "12.00", "active"],
    ])
    await service.redeem(acc.id, 20) // 5 from the new lot, 15 of the 18 free
    expect(await lots(acc.id)).toEqual([
      ["5.00", "0.00", "0.00", "used"],
      ["30.00", "15.00", "12.00", "active"],
    ])
    await service.capture(hold.id)
    expect((await service.getAccount(acc.id)).balance).toBe("3.00")
    expect(await lots(acc.id, "active")).toEqual([["30.00", "3.00", "0.00", "active"]])
    await expectVerified(service)
  })

  it("the negative part of a credit line is not a lot", async () => {
    const acc = await wallet({ credit_limit: 100 })
    await service.redeem(acc.id, 30)
    await grant(acc.id, 50, inDays(10)) // 30 repays the line, 20 is the lot
    expect(await lots(acc.id)).toEqual([["20.00", "20.00", "0.00", "active"]])
    await service.redeem(acc.id, 45) // 20 from the lot, 25 on the line
    expect(await lots(acc.id)).toEqual([["20.00", "0.00", "0.00", "used"]])
    expect((await service.getAccount(acc.id)).balance).toBe("-25.00")
    await expectVerified(service)
  })

  it("on a credit line, holds reserve only what the lots hold, and a payment the free lots cannot cover takes held money", async () => {
    const acc = await wallet({ credit_limit: 100 })
    await grant(acc.id, 50, inDays(10))
    const hold = await service.hold(acc.id, 80) // 50 from the lot, 30 on the line
    expect(await lots(acc.id)).toEqual([["50.00", "50.00", "50.00", "active"]])
    await service.redeem(acc.id, 20) // nothing free in the lots: 20 of the held money, the hold on the line instead
    expect(await lots(acc.id)).toEqual([["50.00", "30.00", "30.00", "active"]])
    await service.capture(hold.id)
    expect((await service.getAccount(acc.id)).balance).toBe("-50.00")
    expect(await lots(acc.id)).toEqual([["50.00", "0.00", "0.00", "used"]])
    // without a credit line the same payment is refused: the held money is the hold's
    const plain = await wallet()
    await grant(plain.id, 50, inDays(10))
    await service.hold(plain.id, 50)
    await expectRejectedCleanly(db, () => service.redeem(plain.id, 1), "insufficient_funds")
    await expectVerified(service)
  })

  it("expires_at on initial loads, batches and account batches; a past expiry is refused and writes nothing", async () => {
    const card = await wallet({ initial_amount: 25, initial_expires_at: inDays(365) })
    expect(await lots(card.id)).toEqual([["25.00", "25.00", "0.00", "active"]])
    const batch = await service.postBatch([
      { source_account_id: "@unpaid_source", destination_account_id: card.id, amount: 5, kind: "load", expires_at: inDays(7) },
      { source_account_id: "@unpaid_source", destination_account_id: card.id, amount: 1, kind: "load" },
    ])
    expect(batch.ok).toBe(true)
    expect((await service.listLots(card.id)).lots.map((l) => l.amount)).toEqual(["5.00", "25.00", "1.00"])
    const made = await service.createAccounts([
      { name: "A", currency_code: "usd", initial_amount: 10, initial_expires_at: inDays(90) },
      { name: "B", currency_code: "usd", initial_amount: 10 },
    ])
    expect(made.ok).toBe(true)
    const [a, b] = made.results.map((r: any) => r.account.id)
    expect(await lots(a)).toEqual([["10.00", "10.00", "0.00", "active"]])
    expect(await lots(b)).toEqual([])
    await expectRejectedCleanly(db, () => service.topUp(card.id, 5, { expires_at: new Date(Date.now() - 1000) }), "invalid_request")
    await expectRejectedCleanly(db, () => service.topUp(card.id, 5, { expires_at: "not a date" }), "invalid_request")
    await expectVerified(service)
  })

  it("tells the owner once a day at most that credit expires soon, each lot once", async () => {
    const acc = await wallet({ customer_id: "cus_lots" })
    await grant(acc.id, 12, inDays(3))
    await grant(acc.id, 8, inDays(5))
    await grant(acc.id, 100, inDays(60)) // outside the 7 days
    const first = await service.closeExpiredAccounts()
    expect(first.expiring_credit).toEqual([
      { account_id: acc.id, customer_id: "cus_lots", amount: "20.00", currency_code: "usd", expires_at: expect.any(Date) },
    ])
    expect(first.expiring_credit[0].expires_at.getTime()).toBeLessThan(inDays(3.1).getTime())
    expect(events.named("ledger.credit.expiring").map((e: any) => e.data.account_id)).toContain(acc.id)
    await grant(acc.id, 3, inDays(4)) // a new lot due: told tomorrow, not again today
    expect((await service.closeExpiredAccounts()).expiring_credit).toEqual([])
    await db.raw(`DELETE FROM ledger_lot_notice WHERE account_id = ?`, [acc.id]) // "tomorrow"
    expect((await service.closeExpiredAccounts()).expiring_credit.map((n) => n.amount)).toEqual(["3.00"])
    expect((await service.nextExpiring(acc.id))!.amount).toBe("12.00")
  })

  it("the deferred-income report buckets an account's lots by their own expiry", async () => {
    const plain = await wallet({ initial_amount: 10, end_date: inDays(20) })
    const lotted = await wallet({ initial_amount: 3 })
    const before = new Date()
    await grant(lotted.id, 5, inDays(10))
    await grant(lotted.id, 7, inDays(45))
    const credit = await wallet({ credit_limit: 50 })
    await service.redeem(credit.id, 4)
    await grant(credit.id, 1, inDays(10)) // still 3 below zero: no lot money, the balance by end date
    const report = await service.deferredIncomeReport({ currency_code: "usd" })
    const totals = report.reports[0].totals
    const cell = (b: string) => [totals.buckets[b as "d0_30"].balance, totals.buckets[b as "d0_30"].accounts]
    expect([cell("d0_30"), cell("d31_60"), cell("no_end_date")]).toEqual([
      ["15.00", 2],
      ["7.00", 1],
      ["0.00", 2], // the lotted account's 3 without expiry, and −3 on the credit line
    ])
    expect(totals.buckets.no_end_date.balance).toBe("0.00")
    expect([totals.balance, totals.accounts]).toEqual(["22.00", 3])
    // as of before the account kept lots: by its end date (none), as it was
    const then = (await service.deferredIncomeReport({ currency_code: "usd", as_of: before.toISOString() })).reports[0].totals
    expect([then.buckets.no_end_date.balance, then.buckets.d0_30.balance]).toEqual(["3.00", "10.00"])
  })

  it("32 concurrent debits on an account with 10 lots: spent in order, nothing spent twice", async () => {
    const acc = await wallet()
    for (let i = 0; i < 10; i++) await grant(acc.id, 10, inDays(10 + ((i * 7) % 10)))
    const { ok, codes } = await settle(Array.from({ length: 32 }, () => service.redeem(acc.id, 4)))
    expect(ok.length).toBe(25) // 100 / 4
    expect(codes).toEqual(Array(7).fill("insufficient_funds"))
    expect((await service.getAccount(acc.id)).balance).toBe("0.00")
    await expectVerified(service)
  })

  it("the sweep racing debits, holds and refunds leaves every invariant whole", async () => {
    const accs = await Promise.all(Array.from({ length: 4 }, () => wallet()))
    for (const acc of accs) {
      for (let i = 0; i < 4; i++) await grant(acc.id, 10, inDays(i + 1))
      await expireLot(acc.id, "10")
    }
    const spent = await Promise.all(accs.map((a) => service.redeem(a.id, 5)))
    const work: Promise<unknown>[] = []
    for (let round = 0; round < 4; round++) {
      work.push(service.closeExpiredAccounts())
      for (const [i, acc] of accs.entries()) {
        work.push(service.redeem(acc.id, 2))
        work.push(service.refund(spent[i].id, 1))
        work.push(service.hold(acc.id, 1).then((h): Promise<unknown> => (round % 2 ? service.release(h.id) : service.capture(h.id))))
      }
    }
    const results = await Promise.allSettled(work)
    const unexpected = results.filter((r) => r.status === "rejected" && (r.reason as any)?.code !== "insufficient_funds")
    expect(unexpected).toEqual([])
    await service.closeExpiredAccounts()
    expect(await countRows(db, "ledger_lot", "remaining > reserved AND expires_at <= now()")).toBe(0)
    await expectVerified(service)
  })
})

// verify() catches each broken lot invariant (the rows are damaged by hand, as a bug would).
ledgerModuleSuite("lots-verify", ({ service, db }) => {
  const failing = async () => (await service.verify()).checks.filter((c) => !c.ok).map((c) => c.name)
  const setUp = async () => {
    const acc = await service.createAccount({ name: "Wallet", currency_code: "usd" })
    await service.topUp(acc.id, 10, { expires_at: inDays(5) })
    await service.topUp(acc.id, 10, { expires_at: inDays(50) })
    const { lots } = await service.listLots(acc.id)
    return { acc, soon: lots[0].id, late: lots[1].id }
  }

  it("the lot move log is append-only", async () => {
    await setUp()
    for (const sql of [`UPDATE ledger_lot_move SET amount = amount * 2`, `DELETE FROM ledger_lot_move`]) {
      const error: any = await db.raw(sql).then(() => null, (e: unknown) => e)
      expect({ sql, code: error?.code, hint: error?.hint }).toEqual({ sql, code: "LG001", hint: "immutable" })
    }
    expect(await failing()).toEqual([])
  })

  it("a lot's cache off its moves, or lots that no longer sum to the balance", async () => {
    const { soon } = await setUp()
    expect(await failing()).toEqual([])
    await db.raw(`UPDATE ledger_lot SET remaining = remaining - 1 WHERE id = ?`, [soon])
    expect(await failing()).toEqual(["lots_sum_to_balance", "lots_within_bounds"])
  })

  it("a debit whose lot moves do not add up to it", async () => {
    const { acc, soon } = await setUp()
    const spent = await service.redeem(acc.id, 4)
    await db.raw(`INSERT INTO ledger_lot_move (lot_id, account_id, kind, amount, transfer_id) VALUES (?, ?, 'spend', 1, ?)`, [soon, acc.id, spent.id])
    await db.raw(`UPDATE ledger_lot SET remaining = remaining - 1 WHERE id = ?`, [soon])
    expect(await failing()).toEqual(["lots_sum_to_balance", "lot_postings_balance"])
  })

  it("a spend from a later lot while a sooner one had free money", async () => {
    const { acc, soon, late } = await setUp()
    const spent = await service.redeem(acc.id, 4)
    // move the spend to the later lot, as a wrong order would have
    await db.raw(`ALTER TABLE ledger_lot_move DISABLE TRIGGER ledger_lot_move_immutable`)
    await db.raw(`UPDATE ledger_lot_move SET lot_id = ? WHERE transfer_id = ?`, [late, spent.id])
    await db.raw(`ALTER TABLE ledger_lot_move ENABLE TRIGGER ledger_lot_move_immutable`)
    await db.raw(`UPDATE ledger_lot SET remaining = amount WHERE id = ?`, [soon])
    await db.raw(`UPDATE ledger_lot SET remaining = amount - 4 WHERE id = ?`, [late])
    expect(await failing()).toEqual(["lots_spent_in_order"])
  })

  it("a reservation left behind by a released hold, and a lot lapsed twice or before it expired", async () => {
    const { acc, soon } = await setUp()
    const hold = await service.hold(acc.id, 3)
    await service.release(hold.id)
    await db.raw(`INSERT INTO ledger_lot_move (lot_id, account_id, kind, amount, hold_id) VALUES (?, ?, 'reserve', 3, ?)`, [soon, acc.id, hold.id])
    await db.raw(`UPDATE ledger_lot SET reserved = 3 WHERE id = ?`, [soon])
    expect(await failing()).toEqual(["lot_reservations_match_holds"])
    await db.raw(`INSERT INTO ledger_lot_move (lot_id, account_id, kind, amount, hold_id) VALUES (?, ?, 'unreserve', 3, ?)`, [soon, acc.id, hold.id])
    await db.raw(`UPDATE ledger_lot SET reserved = 0 WHERE id = ?`, [soon])
    // a lapse of a lot that has not expired (the sweep only lapses expired lots)
    await db.raw(`UPDATE ledger_lot SET expires_at = now() - interval '1 second' WHERE id = ?`, [soon])
    await service.closeExpiredAccounts()
    expect(await failing()).toEqual([])
    await db.raw(`UPDATE ledger_lot SET expires_at = now() + interval '1 day' WHERE id = ?`, [soon])
    expect(await failing()).toEqual(["lots_lapsed_once"])
  })
})
