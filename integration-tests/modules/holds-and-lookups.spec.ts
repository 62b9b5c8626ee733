import { ledgerModuleSuite } from "../support/ledger-runner"
import { expectRejectedCleanly, expectVerified } from "../support/ledger-helpers"

jest.setTimeout(60000)

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

ledgerModuleSuite("holds-lookups", ({ service, db }) => {
  const wallet = (amount: number, extra: Record<string, unknown> = {}) =>
    service.createAccount({ name: "Wallet", currency_code: "usd", initial_amount: amount, ...extra })

  describe("expired holds", () => {
    it("stop reserving money as soon as a payment needs it, without waiting for the sweep", async () => {
      const acc = await wallet(100)
      const stale = await service.hold(acc.id, 60, { expires_at: new Date(Date.now() + 800) })
      const live = await service.hold(acc.id, 10, { expires_at: new Date(Date.now() + 3600_000) })
      await expectRejectedCleanly(db, () => service.redeem(acc.id, 50), "insufficient_funds")
      await sleep(1000)
      const spent = await service.redeem(acc.id, 50)
      expect(Number(spent.source_balance)).toBe(50)
      const holds = await service.listLedgerHolds({ account_id: acc.id }, { order: { created_at: "ASC" } })
      expect(holds.map((h: any) => [h.id, h.status])).toEqual([
        [stale.id, "expired"],
        [live.id, "open"],
      ])
      expect(Number((await service.getAccount(acc.id)).held)).toBe(10)
      // the live hold still counts: 50 − 10 left
      await expectRejectedCleanly(db, () => service.redeem(acc.id, 41), "insufficient_funds")
      await expectVerified(service)
    })

    it("a hold released again on an expired account changes nothing: only the sweep lapses what it did not keep", async () => {
      // Found by the property test: a second release used to lapse the whole account.
      const acc = await wallet(100)
      const hold = await service.hold(acc.id, 30)
      await service.release(hold.id)
      await service.updateAccount(acc.id, { end_date: new Date(Date.now() - 1000) })
      expect((await service.release(hold.id)).status).toBe("released")
      expect(await service.getAccount(acc.id)).toMatchObject({ status: "open", balance: "100.00" })
      expect((await service.closeExpiredAccounts()).closed).toContain(acc.id)
      expect(await service.getAccount(acc.id)).toMatchObject({ status: "closed", balance: "0.00" })

      // A hold released now, on an expired account, lapses what it kept at once.
      const other = await wallet(50)
      const kept = await service.hold(other.id, 50)
      await service.updateAccount(other.id, { end_date: new Date(Date.now() - 1000) })
      await service.release(kept.id)
      expect(await service.getAccount(other.id)).toMatchObject({ status: "closed", balance: "0.00" })
      await expectVerified(service)
    })

    it("free room for a new hold, and are left alone while money suffices", async () => {
      const acc = await wallet(100)
      const old = await service.hold(acc.id, 90, { expires_at: new Date(Date.now() + 800) })
      await sleep(1000)
      await service.redeem(acc.id, 5) // enough without touching holds: the expired one stays open
      expect((await service.listLedgerHolds({ id: old.id }))[0].status).toBe("open")
      const fresh = await service.hold(acc.id, 80)
      expect(fresh.status).toBe("open")
      expect((await service.listLedgerHolds({ id: old.id }))[0].status).toBe("expired")
      expect(Number((await service.getAccount(acc.id)).held)).toBe(80)
      await expectVerified(service)
    })
  })

  describe("replays", () => {
    it("a capture retried without its amount conflicts with a partial capture", async () => {
      const acc = await wallet(100)
      const hold = await service.hold(acc.id, 50)
      const first = await service.capture(hold.id, { amount: 20, idempotency_key: "cap-1" })
      const again = await service.capture(hold.id, { amount: 20, idempotency_key: "cap-1" })
      expect(again).toEqual(expect.objectContaining({ id: first.id, replayed: true }))
      await expectRejectedCleanly(db, () => service.capture(hold.id, { idempotency_key: "cap-1" }), "idempotency_conflict")
      await expectVerified(service)
    })

    it("a hold retried with another reference conflicts", async () => {
      const acc = await wallet(100)
      const hold = await service.hold(acc.id, 30, { reference: "sess-1", idempotency_key: "hold-1" })
      expect((await service.hold(acc.id, 30, { reference: "sess-1", idempotency_key: "hold-1" })).id).toBe(hold.id)
      await expectRejectedCleanly(
        db,
        () => service.hold(acc.id, 30, { reference: "sess-2", idempotency_key: "hold-1" }),
        "idempotency_conflict"
      )
    })
  })

  describe("code look-ups", () => {
    it("read O as 0 and I or L as 1 in generated codes, but prefer an exact custom code", async () => {
      const card = await service.createAccount({ name: "Card", currency_code: "usd", code: "AB01-CD1X" })
      expect((await service.getAccountByCode("abo1-cdlx")).id).toBe(card.id)
      expect((await service.getAccountByCode("ABOI CDIX")).id).toBe(card.id)
      const custom = await service.createAccount({ name: "Promo", currency_code: "usd", code: "WELCOME10" })
      const lookalike = await service.createAccount({ name: "Digits", currency_code: "usd", code: "WE1C0ME10" })
      expect((await service.getAccountByCode("welcome10")).id).toBe(custom.id)
      expect((await service.getAccountByCode("WE1C0ME10")).id).toBe(lookalike.id)
      await expect(service.getAccountByCode("ZZZZ0000")).rejects.toMatchObject({ code: "not_found" })
    })
  })
})
