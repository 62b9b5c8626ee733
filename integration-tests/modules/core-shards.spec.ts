import { ledgerModuleSuite, expectCode } from "../support/ledger-runner"
import { dbBalance, expectRejectedCleanly, expectVerified } from "../support/ledger-helpers"

jest.setTimeout(120000)

const SALES = "acc_sys_usd_redemptions"

// Single postings pick a shard each (a group posting uses one per group): group posting off here.
ledgerModuleSuite("core-shards", ({ service, db }) => {
  const wallets = async (n: number, amount: number) => {
    const out = []
    for (let i = 0; i < n; i++) {
      out.push(await service.createAccount({ name: `W${i}`, currency_code: "usd", initial_amount: amount }))
    }
    return out
  }
  const shards = async (id: string) =>
    (await db.raw(`SELECT shard, balance::text FROM ledger_balance_shard WHERE account_id = ? AND balance <> 0`, [id])).rows

  it("spreads credits over shard rows and reads them back as one balance", async () => {
    const ws = await wallets(4, 100)
    await Promise.all(ws.flatMap((w) => Array.from({ length: 10 }, () => service.redeem(w.id, "1.10"))))
    expect((await shards(SALES)).length).toBeGreaterThan(1)
    const row = (await db.raw(`SELECT balance::text FROM ledger_account WHERE id = ?`, [SALES])).rows[0]
    expect(row.balance).toBe("0")
    expect(Number((await service.getAccount(SALES)).balance)).toBe(44)
    expect(await service.getBalances([SALES, ws[0].id])).toEqual({ [SALES]: "44.00", [ws[0].id]: "89.00" })
    const live = await dbBalance(db, SALES)
    expect([Number(live.balance), Number(live.entries)]).toEqual([44, 44])
    await expectVerified(service)
  })

  it("a refund out of the sales account folds its shards and checks the exact total", async () => {
    const [w] = await wallets(1, 100)
    const spends: any[] = []
    for (let i = 0; i < 5; i++) spends.push(await service.redeem(w.id, 10))
    const refund = await service.refund(spends[0].id, 4)
    expect(refund.source_balance).toBeNull()
    expect(Number(refund.destination_balance)).toBe(54)
    // folded: the row holds the whole balance now, the shards nothing
    expect((await db.raw(`SELECT balance::text FROM ledger_account WHERE id = ?`, [SALES])).rows[0].balance).toBe("46")
    expect(await shards(SALES)).toEqual([])
    // take the sales balance down to 6 with a transfer out, then a reversal of 10 cannot be paid
    const other = await service.createAccount({ name: "Other", currency_code: "usd" })
    await service.transfer(SALES, other.id, 40)
    await expectRejectedCleanly(db, () => service.reverse(spends[1].id), "insufficient_funds")
    expect(Number((await service.getAccount(SALES)).balance)).toBe(6)
    await expectVerified(service)
  })

  it("freezing the sales account waits for credits in flight; none lands after it", async () => {
    const ws = await wallets(8, 100)
    const redeems = ws.flatMap((w) => Array.from({ length: 12 }, () => service.redeem(w.id, 1).then(() => "ok", (e) => e.code)))
    await new Promise((r) => setTimeout(r, 30))
    await service.freezeAccount(SALES)
    const outcomes = await Promise.all(redeems)
    expect(outcomes.every((o) => o === "ok" || o === "account_frozen")).toBe(true)
    const frozenAt = (await db.raw(`SELECT updated_at FROM ledger_account WHERE id = ?`, [SALES])).rows[0].updated_at
    const late = await db.raw(`SELECT count(*)::int AS n FROM ledger_entry WHERE account_id = ? AND created_at > ?`, [SALES, frozenAt])
    expect(late.rows[0].n).toBe(0)
    expect(Number((await service.getAccount(SALES)).balance)).toBe(outcomes.filter((o) => o === "ok").length)
    await expectCode(service.redeem(ws[0].id, 1), "account_frozen")
    await service.thawAccount(SALES)
    await service.redeem(ws[0].id, 1)
    await expectVerified(service)
  })

  it("refunds out of the sales account racing new orders keep every invariant", async () => {
    const ws = await wallets(6, 200)
    const spends: any[] = []
    for (const w of ws) spends.push(await service.redeem(w.id, 20))
    const work = [
      ...ws.flatMap((w) => Array.from({ length: 15 }, () => service.redeem(w.id, "0.50"))),
      ...spends.flatMap((s) => Array.from({ length: 6 }, () => service.refund(s.id, 5).then(() => "ok", (e) => e.code))),
    ]
    const results = await Promise.all(work)
    const refunds = results.slice(ws.length * 15)
    expect(refunds.filter((r) => r === "ok")).toHaveLength(ws.length * 4)
    expect(refunds.filter((r) => r !== "ok").every((r) => r === "refund_exceeds_transfer")).toBe(true)
    expect(Number((await service.getAccount(SALES)).balance)).toBe(ws.length * 7.5)
    await expectVerified(service)
  })

  it("a core account's statement runs its balance in posting order", async () => {
    const [w] = await wallets(1, 50)
    for (const amount of [1, 2, 3]) await service.redeem(w.id, amount)
    const { lines } = await service.statement(SALES, { order: "asc" })
    expect(lines.map((l) => [l.amount, l.balance_after])).toEqual([["1.00", "1.00"], ["2.00", "3.00"], ["3.00", "6.00"]])
    const entries = await db.raw(`SELECT balance_after FROM ledger_entry WHERE account_id = ?`, [SALES])
    expect(entries.rows.every((r: any) => r.balance_after === null)).toBe(true)
  })

  it("keeps the shards' copy of status in step, recreates a missing shard, and verify catches a tampered one", async () => {
    const [w] = await wallets(1, 100)
    await service.freezeAccount(SALES)
    const statuses = await db.raw(`SELECT DISTINCT status FROM ledger_balance_shard WHERE account_id = ?`, [SALES])
    expect(statuses.rows).toEqual([{ status: "frozen" }])
    await service.thawAccount(SALES)
    await db.raw(`DELETE FROM ledger_balance_shard WHERE account_id = ? AND balance = 0`, [SALES])
    for (let i = 0; i < 40; i++) await service.redeem(w.id, 1)
    expect(Number((await service.getAccount(SALES)).balance)).toBe(40)
    await expectVerified(service)
    await db.raw(`UPDATE ledger_balance_shard SET status = 'open' WHERE account_id = ? AND shard = 0`, ["acc_sys_usd_lapsed"])
    await db.raw(`UPDATE ledger_account SET status = 'frozen' WHERE id = ?`, ["acc_sys_usd_lapsed"])
    const report = await service.verify()
    const check = report.checks.find((c) => c.name === "balance_shards_mirror_accounts")!
    expect(check.ok).toBe(false)
    expect(check.offending.length).toBeGreaterThan(0)
  })

  it("a posting credits a shard no one holds: with all shards but one held by an open transaction, postings and a batch go through at once", async () => {
    const ws = await wallets(3, 100)
    await service.redeem(ws[0].id, 1) // the shard rows exist
    const trx = await db.transaction()
    try {
      const held = await trx.raw(`SELECT shard FROM ledger_balance_shard WHERE account_id = ? AND shard <> 7 FOR NO KEY UPDATE`, [SALES])
      expect(held.rows).toHaveLength(15)
      const before = await shards(SALES)
      const work = (async () => {
        for (const w of ws) await service.redeem(w.id, 2)
        await service.postBatch(ws.map((w) => ({ source_account_id: w.id, destination_account_id: "@redemptions", amount: 3, kind: "redemption" as const })))
      })()
      // a random shard would wait for the open transaction 15 times in 16
      const outcome = await Promise.race([work.then(() => "done"), new Promise((r) => setTimeout(() => r("waiting"), 5000))])
      expect(outcome).toBe("done")
      const after = await shards(SALES)
      const on7 = (rows: any[]) => Number(rows.find((r) => r.shard === 7)?.balance ?? 0)
      expect(on7(after) - on7(before)).toBe(15)
    } finally {
      await trx.rollback()
    }
    expect(Number((await service.getAccount(SALES)).balance)).toBe(16)
    await expectVerified(service)
  })

  it("core accounts do not hold funds", async () => {
    await expectRejectedCleanly(db, () => service.hold("acc_sys_usd_bank", 1), "not_authorized")
  })
}, { currencies: ["usd"], groupPosting: false })
