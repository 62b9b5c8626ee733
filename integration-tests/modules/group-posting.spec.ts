import { ledgerModuleSuite } from "../support/ledger-runner"
import { countRows, dbBalance, expectVerified, settle, sleep } from "../support/ledger-helpers"

jest.setTimeout(120000)

const SALES = "acc_sys_usd_redemptions"

/**
 * Group posting (issue 11 §3): single postings made at the same time are posted together,
 * one call and one commit for many, each keeping its own result, rules and idempotency.
 * One group out at a time here, so postings queue behind it and groups do form.
 */
ledgerModuleSuite(
  "group-posting",
  ({ service, db, events }) => {
    const wallet = (initial: number | string = 100, extra: Record<string, unknown> = {}) =>
      service.createAccount({ name: "Wallet", currency_code: "usd", initial_amount: initial || undefined, ...extra } as any)
    // Which (top-level) transaction wrote each transfer, noted by a trigger of the test's.
    beforeEach(async () => {
      await db.raw(`CREATE TABLE IF NOT EXISTS test_transfer_tx (transfer_id text, kind text, tx bigint);
        CREATE OR REPLACE FUNCTION test_note_tx() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN INSERT INTO test_transfer_tx VALUES (NEW.id, NEW.kind, txid_current()); RETURN NEW; END $$;
        DROP TRIGGER IF EXISTS test_note_tx ON ledger_transfer;
        CREATE TRIGGER test_note_tx AFTER INSERT ON ledger_transfer FOR EACH ROW EXECUTE FUNCTION test_note_tx();`)
    })
    const transactions = async (kind: string) =>
      (await db.raw(`SELECT count(DISTINCT tx)::int AS n FROM test_transfer_tx WHERE kind = ?`, [kind])).rows[0].n as number

    it("postings at the same time go in few commits, each with its own result and refusal", async () => {
      const ws = await Promise.all(Array.from({ length: 16 }, (_, i) => wallet(i < 8 ? 100 : 1)))
      const frozen = await wallet(100)
      await service.freezeAccount(frozen.id)
      events.clear()
      const calls = Array.from({ length: 64 }, (_, i) =>
        i === 5 ? service.redeem(frozen.id, 1) : service.redeem(ws[i % 16].id, 2, { description: `call ${i}` })
      )
      const settled = await Promise.allSettled(calls)
      const outcome = settled.map((s) => (s.status === "fulfilled" ? "ok" : (s.reason as any).code))
      // accounts 0-7 had 100 (4 calls of 2 each, call 5 went to the frozen one), 8-15 had 1
      outcome.forEach((o, i) => expect([i, o]).toEqual([i, i === 5 ? "account_frozen" : i % 16 < 8 ? "ok" : "insufficient_funds"]))
      settled.forEach((s, i) => {
        if (s.status === "fulfilled") expect(s.value).toMatchObject({ description: `call ${i}`, amount: "2.00", replayed: false })
      })
      const posted = outcome.filter((o) => o === "ok").length
      expect(posted).toBe(31)
      expect(await transactions("redemption")).toBeLessThan(posted / 2)
      expect(events.named("ledger.transfer.created")).toHaveLength(posted)
      expect((await service.getAccount(SALES)).balance).toBe("62.00")
      await expectVerified(service)
    })

    it("32 postings racing on one account with money for 10: exactly 10 post", async () => {
      const w = await wallet(10)
      const { ok, codes } = await settle(Array.from({ length: 32 }, () => service.redeem(w.id, 1)))
      expect(ok).toHaveLength(10)
      expect(new Set(codes)).toEqual(new Set(["insufficient_funds"]))
      expect(await dbBalance(db, w.id)).toMatchObject({ balance: "0", entries: "0" })
      await expectVerified(service)
    })

    it("one idempotency key used by 20 postings at once posts once; the others replay it", async () => {
      const w = await wallet(100)
      const results = await Promise.all(Array.from({ length: 20 }, () => service.redeem(w.id, 3, { idempotency_key: "group-key" })))
      expect(new Set(results.map((r) => r.id)).size).toBe(1)
      expect(results.filter((r) => !r.replayed)).toHaveLength(1)
      expect(await countRows(db, "ledger_transfer", "idempotency_key = 'group-key'")).toBe(1)
      expect((await service.getAccount(w.id)).balance).toBe("97.00")
      // the same key with another amount, in a group with good postings: refused alone
      const mixed = await settle([service.redeem(w.id, 4, { idempotency_key: "group-key" }), service.redeem(w.id, 1), service.redeem(w.id, 1)])
      expect(mixed.codes).toEqual(["idempotency_conflict"])
      expect(mixed.ok).toHaveLength(2)
      await expectVerified(service)
    })

    it("a group that deadlocks is posted again item by item: every posting once", async () => {
      const [a, b, c] = await Promise.all([wallet(10), wallet(10), wallet(10)])
      const [lo, hi] = [a, b].sort((x, y) => (x.id < y.id ? -1 : 1))
      const blockC = await db.transaction()
      const blockHi = await db.transaction()
      await blockC.raw(`SELECT 1 FROM ledger_account WHERE id = ? FOR NO KEY UPDATE`, [c.id])
      await blockHi.raw(`SELECT 1 FROM ledger_account WHERE id = ? FOR NO KEY UPDATE`, [hi.id])
      // The first posting goes out alone and waits for c; the next two queue behind it.
      const first = service.redeem(c.id, 1)
      await sleep(100)
      const grouped = [service.redeem(lo.id, 1), service.redeem(hi.id, 1)]
      await sleep(100)
      await blockC.commit()
      await first
      // The group [lo, hi] now holds lo (its locks come first, in order) and waits for hi;
      // asking for lo from the transaction holding hi closes the cycle.
      await sleep(200)
      const meanwhile = blockHi.raw(`SELECT 1 FROM ledger_account WHERE id = ? FOR NO KEY UPDATE`, [lo.id])
      await meanwhile
      await blockHi.commit()
      const results = await Promise.all(grouped)
      expect(results.map((r) => r.replayed)).toEqual([false, false])
      expect(await countRows(db, "ledger_transfer", "kind = 'redemption'")).toBe(3)
      // posted apart: the group's own transaction was the deadlock's victim and wrote nothing
      expect(await transactions("redemption")).toBe(3)
      for (const w of [a, b, c]) expect((await service.getAccount(w.id)).balance).toBe("9.00")
      await expectVerified(service)
    })
  },
  { currencies: ["usd"], groupPosting: { maxBatch: 64, maxInFlight: 1 } }
)
