import { ledgerModuleSuite, expectCode } from "../support/ledger-runner"
import { loadLedger } from "../support/standalone-ledger"
import {
  FUTURE,
  PAST,
  countRows,
  dbBalance,
  expectRejectedCleanly,
  expectVerified,
} from "../support/ledger-helpers"

jest.setTimeout(60000)

// Crockford's base32: digits and letters without I, L, O and U.
const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
const CROCKFORD_RE = /^[0-9A-HJKMNP-TV-Z]+$/

ledgerModuleSuite("accounts", ({ service, db, dbUrl }) => {
  describe("createAccount", () => {
    it("creates an open, empty store-credit account with the documented defaults", async () => {
      const acc = await service.createAccount({ name: "  Wallet  ", currency_code: "USD" })
      expect(acc).toMatchObject({
        name: "Wallet",
        currency_code: "usd",
        status: "open",
        code: null,
        credit_limit: "0.00",
        balance: "0.00",
        held: "0.00",
        available: "0.00",
        role: null,
        can_pay_shipping: true,
        product_ids: null,
        type_id: "lat_liabilities_deferred_income_store_credit",
      })
      expect(acc.id).toMatch(/^acc_/)
      const { rows } = await db.raw(`SELECT status, currency_code, balance::text, credit_limit::text FROM ledger_account WHERE id = ?`, [acc.id])
      expect(rows).toEqual([{ status: "open", currency_code: "usd", balance: "0", credit_limit: "0" }])
      expect(await service.getAccount(acc.id)).toMatchObject({ id: acc.id, name: "Wallet" })
      // nothing was posted for an account created without an initial amount
      expect(await countRows(db, "ledger_transfer")).toBe(0)
    })

    it("refuses a missing name, a bad currency and an unknown account type, writing nothing", async () => {
      await expectRejectedCleanly(db, () => service.createAccount({ name: "   ", currency_code: "usd" }), "invalid_request")
      await expectRejectedCleanly(db, () => service.createAccount({ name: "X", currency_code: "dollars" }), "invalid_currency")
      await expectRejectedCleanly(db, () => service.createAccount({ name: "X", currency_code: "usd", type_id: "lat_nope" }), "not_found")
      await expectRejectedCleanly(
        db,
        () => service.createAccount({ name: "X", currency_code: "usd", start_date: FUTURE(), end_date: new Date() }),
        "invalid_request"
      )
      await expectRejectedCleanly(db, () => service.createAccount({ name: "X", currency_code: "usd", credit_limit: -1 }), "invalid_amount")
    })

    it("generates unique, uppercase Crockford base32 codes of at least 80 bits", async () => {
      const accounts = []
      for (let i = 0; i < 40; i++) {
        accounts.push(await service.createAccount({ name: `Gift card ${i}`, currency_code: "usd", generate_code: true }))
      }
      const codes = accounts.map((a) => a.code!)
      for (const code of codes) {
        expect(code).toMatch(CROCKFORD_RE)
        expect(code.length * 5).toBeGreaterThanOrEqual(80)
      }
      expect(new Set(codes).size).toBe(codes.length)
      // 40 x 16 random characters: every symbol of the alphabet shows up, nothing else does
      const seen = new Set(codes.join(""))
      expect([...seen].sort().join("")).toBe(CROCKFORD)
      const { rows } = await db.raw(`SELECT count(DISTINCT code)::int AS n FROM ledger_account WHERE code IS NOT NULL`)
      expect(rows[0].n).toBe(40)
    })

    it("looks codes up ignoring case, dashes and spaces, and formats them in groups", async () => {
      const gen = await service.createAccount({ name: "Gift", currency_code: "usd", generate_code: true })
      const formatted = service.formatCode(gen.code)!
      expect(formatted).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4})+$/)
      expect(formatted.replace(/-/g, "")).toBe(gen.code)
      for (const variant of [gen.code!, formatted, formatted.toLowerCase(), ` ${formatted.split("-").join(" ")} `]) {
        expect((await service.getAccountByCode(variant)).id).toBe(gen.id)
      }

      const given = await service.createAccount({ name: "Given", currency_code: "usd", code: "gift-1234 abcd" })
      expect(given.code).toBe("GIFT1234ABCD")
      expect((await service.getAccountByCode("Gift 1234-ABCD")).id).toBe(given.id)
      expect((await service.getAccountByCode("g-i-f-t-1-2-3-4-a-b-c-d")).id).toBe(given.id)
      await expectCode(service.getAccountByCode("GIFT1234ABCE"), "not_found")
      await expectCode(service.getAccountByCode("!!"), "invalid_code")
      // the same code in another spelling is the same code
      await expectRejectedCleanly(db, () => service.createAccount({ name: "Dup", currency_code: "usd", code: "GIFT-1234-ABCD" }), "code_taken")
      await expectRejectedCleanly(db, () => service.createAccount({ name: "Bad", currency_code: "usd", code: "a!" }), "invalid_code")
    })

    it("funds the account from the unpaid source in the same transaction", async () => {
      const acc = await service.createAccount({ name: "Loaded", currency_code: "usd", initial_amount: "25.50" })
      expect(Number(acc.balance)).toBe(25.5)
      expect(Number(acc.available)).toBe(25.5)
      const { rows } = await db.raw(`SELECT kind, source_id, destination_id, amount::text, description FROM ledger_transfer`)
      expect(rows).toEqual([
        { kind: "load", source_id: "acc_sys_usd_unpaid_source", destination_id: acc.id, amount: "25.5", description: "Initial load" },
      ])
      expect(await dbBalance(db, "acc_sys_usd_unpaid_source")).toMatchObject({ balance: "-25.5", entries: "-25.5" })
      await expectVerified(service)
    })

    it("funds the account from a given source (a role or an account)", async () => {
      const fromBank = await service.createAccount({ name: "Bought", currency_code: "usd", initial_amount: 40, source_account_id: "@bank" })
      expect(Number(fromBank.balance)).toBe(40)
      expect(Number((await service.getAccount("acc_sys_usd_bank")).balance)).toBe(-40)

      const parent = await service.createAccount({ name: "Parent", currency_code: "usd", initial_amount: 100 })
      const child = await service.createAccount({ name: "Child", currency_code: "usd", initial_amount: 30, source_account_id: parent.id })
      expect(Number(child.balance)).toBe(30)
      expect(Number((await service.getAccount(parent.id)).balance)).toBe(70)
      await expectVerified(service)
    })

    it("leaves no account behind when the initial load fails", async () => {
      const poor = await service.createAccount({ name: "Poor", currency_code: "usd", initial_amount: 10 })
      const euro = await service.createAccount({ name: "Euro", currency_code: "eur", initial_amount: 10 })
      const attempts: [() => Promise<unknown>, string][] = [
        [() => service.createAccount({ name: "Ghost", currency_code: "usd", initial_amount: 20, source_account_id: poor.id }), "insufficient_funds"],
        [() => service.createAccount({ name: "Ghost", currency_code: "usd", initial_amount: 5, source_account_id: euro.id }), "currency_mismatch"],
        [() => service.createAccount({ name: "Ghost", currency_code: "usd", initial_amount: 5, source_account_id: "acc_missing" }), "not_found"],
        [() => service.createAccount({ name: "Ghost", currency_code: "usd", initial_amount: "1.005" }), "invalid_amount"],
        [() => service.createAccount({ name: "Ghost", currency_code: "jpy", initial_amount: "1.5" }), "invalid_amount"],
        [() => service.createAccount({ name: "Ghost", currency_code: "usd", initial_amount: 0 }), "invalid_amount"],
      ]
      for (const [call, code] of attempts) {
        await expectRejectedCleanly(db, call, code)
      }
      await service.freezeAccount(poor.id)
      await expectRejectedCleanly(
        db,
        () => service.createAccount({ name: "Ghost", currency_code: "usd", initial_amount: 5, source_account_id: poor.id, member_ids: ["cus_1"], code: "GHOST-CODE" }),
        "account_frozen"
      )
      expect(await countRows(db, "ledger_account", "name = 'Ghost'")).toBe(0)
      expect(await countRows(db, "ledger_account_member")).toBe(0)
      // the code of the failed attempt is free again
      const ok = await service.createAccount({ name: "Real", currency_code: "usd", code: "ghost-code" })
      expect(ok.code).toBe("GHOSTCODE")
      await expectVerified(service)
    })

    it("with an idempotency key, creates and funds the account once", async () => {
      const a = await service.createAccount({ name: "Once", currency_code: "usd", initial_amount: 15 }, { idempotency_key: "create-1" })
      const b = await service.createAccount({ name: "Once", currency_code: "usd", initial_amount: 15 }, { idempotency_key: "create-1" })
      expect(b.id).toBe(a.id)
      expect(Number(b.balance)).toBe(15)
      expect(await countRows(db, "ledger_account", "name = 'Once'")).toBe(1)
      expect(await countRows(db, "ledger_transfer")).toBe(1)
      // without an initial amount the key still names the account
      const c = await service.createAccount({ name: "Keyed", currency_code: "usd" }, { idempotency_key: "create-2" })
      const d = await service.createAccount({ name: "Keyed", currency_code: "usd" }, { idempotency_key: "create-2" })
      expect(d.id).toBe(c.id)
      await expectRejectedCleanly(
        db,
        () => service.createAccount({ name: "Renamed", currency_code: "usd" }, { idempotency_key: "create-2" }),
        "idempotency_conflict"
      )
      await expectVerified(service)
    })

    it("refuses an idempotency key that already named a different posting (invariant 7)", async () => {
      const wallet = await service.createAccount({ name: "Wallet", currency_code: "usd", initial_amount: 50 })
      await service.redeem(wallet.id, 10, { idempotency_key: "order-1" })
      // The key belongs to a redemption into the sales account: creating an account with it
      // must not hand back the sales account as if it were the new account.
      await expectRejectedCleanly(
        db,
        () => service.createAccount({ name: "Fresh", currency_code: "usd", initial_amount: 10 }, { idempotency_key: "order-1" }),
        "idempotency_conflict"
      )
    })

    it("refuses an idempotency key that named a top-up of another account (invariant 7)", async () => {
      const existing = await service.createAccount({ name: "Existing", currency_code: "usd" })
      await service.topUp(existing.id, 10, { idempotency_key: "load-1" })
      // same kind (a load), amount, currency and source, but it was not this account's creation
      await expectRejectedCleanly(
        db,
        () => service.createAccount({ name: "New card", currency_code: "usd", initial_amount: 10 }, { idempotency_key: "load-1" }),
        "idempotency_conflict"
      )
    })

    it("refuses the same idempotency key with a different initial amount (invariant 7)", async () => {
      await service.createAccount({ name: "Card", currency_code: "usd", initial_amount: 50 }, { idempotency_key: "card-1" })
      await expectRejectedCleanly(
        db,
        () => service.createAccount({ name: "Card", currency_code: "usd", initial_amount: 70 }, { idempotency_key: "card-1" }),
        "idempotency_conflict"
      )
      await expectVerified(service)
    })
  })

  describe("updateAccount", () => {
    it("updates descriptive fields, members, product restriction and shipping flag", async () => {
      const acc = await service.createAccount({
        name: "B2B",
        currency_code: "usd",
        customer_id: "cus_owner",
        member_ids: ["cus_b", "cus_a", "cus_b"],
        product_ids: ["prod_1"],
      })
      const ids = await service.getAccountCustomerIds(acc.id)
      expect(ids[0]).toBe("cus_owner")
      expect(ids.slice(1).sort()).toEqual(["cus_a", "cus_b"])
      expect(acc.product_ids).toEqual(["prod_1"])

      const updated = await service.updateAccount(acc.id, {
        name: "B2B account",
        description: "Net 30",
        metadata: { po: "123" },
        member_ids: ["cus_c"],
        product_ids: ["prod_2", "prod_3"],
        can_pay_shipping: false,
      })
      expect(updated).toMatchObject({
        name: "B2B account",
        description: "Net 30",
        metadata: { po: "123" },
        product_ids: ["prod_2", "prod_3"],
        can_pay_shipping: false,
      })
      expect(await service.getAccountCustomerIds(acc.id)).toEqual(["cus_owner", "cus_c"])

      const cleared = await service.updateAccount(acc.id, { member_ids: [], product_ids: null, customer_id: null, description: null })
      expect(cleared).toMatchObject({ product_ids: null, customer_id: null, description: null, name: "B2B account" })
      expect(await service.getAccountCustomerIds(acc.id)).toEqual([])
      // an empty update changes nothing
      const same = await service.updateAccount(acc.id, {})
      expect(same.name).toBe("B2B account")
      await expectCode(service.updateAccount(acc.id, { name: " " }), "invalid_request")
      await expectCode(service.updateAccount("acc_missing", { name: "x" }), "not_found")
    })

    it("changes the credit limit, never below what is already used", async () => {
      const acc = await service.createAccount({ name: "Credit", currency_code: "usd" })
      await expectCode(service.redeem(acc.id, 1), "insufficient_funds")
      const raised = await service.updateAccount(acc.id, { credit_limit: "50.00" })
      expect(raised).toMatchObject({ credit_limit: "50.00", available: "50.00" })
      await service.redeem(acc.id, 30)
      await service.hold(acc.id, 10)
      // uses 30 + 10 held: a limit of 39.99 is too low, 40 is fine
      await expectRejectedCleanly(db, () => service.updateAccount(acc.id, { credit_limit: "39.99" }), "invalid_credit_limit")
      await expectRejectedCleanly(db, () => service.updateAccount(acc.id, { credit_limit: -5 }), "invalid_amount")
      await expectRejectedCleanly(db, () => service.updateAccount(acc.id, { credit_limit: "1.001" }), "invalid_amount")
      const lowered = await service.updateAccount(acc.id, { credit_limit: 40 })
      expect(lowered).toMatchObject({ credit_limit: "40.00", balance: "-30.00", held: "10.00", available: "0.00" })
      await expectCode(service.redeem(acc.id, "0.01"), "insufficient_funds")
      const unlimited = await service.updateAccount(acc.id, { credit_limit: null })
      expect(unlimited).toMatchObject({ credit_limit: null, available: null })
      await service.redeem(acc.id, 1000)
      // a core account's limit is fixed
      await expectRejectedCleanly(db, () => service.updateAccount("acc_sys_usd_redemptions", { credit_limit: 100 }), "not_authorized")
      await expectVerified(service)
    })

    it("sets and checks the active dates", async () => {
      const acc = await service.createAccount({ name: "Dated", currency_code: "usd", initial_amount: 20 })
      const start = new Date(Date.now() + 86_400_000)
      const withStart = await service.updateAccount(acc.id, { start_date: start })
      expect(new Date(withStart.start_date!).getTime()).toBe(start.getTime())
      expect(service.isActive(withStart)).toBe(false)
      await expectCode(service.redeem(acc.id, 1), "account_inactive")
      // an end date before the start date is refused; updating only the end keeps the start
      await expectRejectedCleanly(db, () => service.updateAccount(acc.id, { end_date: new Date() }), "invalid_request")
      await expectRejectedCleanly(db, () => service.updateAccount(acc.id, { end_date: "not a date" }), "invalid_request")
      const end = new Date(start.getTime() + 86_400_000)
      const withEnd = await service.updateAccount(acc.id, { end_date: end })
      expect(new Date(withEnd.start_date!).getTime()).toBe(start.getTime())
      expect(new Date(withEnd.end_date!).getTime()).toBe(end.getTime())
      const open = await service.updateAccount(acc.id, { start_date: null, end_date: null })
      expect(open).toMatchObject({ start_date: null, end_date: null })
      expect(service.isActive(open)).toBe(true)
      await service.redeem(acc.id, 1)
      await expectVerified(service)
    })

    it("refuses to update a closed account", async () => {
      const acc = await service.createAccount({ name: "Gone", currency_code: "usd" })
      await service.closeAccount(acc.id)
      await expectRejectedCleanly(db, () => service.updateAccount(acc.id, { name: "Back" }), "account_closed")
      await expectRejectedCleanly(db, () => service.updateAccount(acc.id, { member_ids: ["cus_1"] }), "account_closed")
    })
  })

  describe("freeze, thaw, close", () => {
    it("freezes and thaws; a frozen account neither pays nor receives", async () => {
      const acc = await service.createAccount({ name: "Ice", currency_code: "usd", initial_amount: 50 })
      const frozen = await service.freezeAccount(acc.id)
      expect(frozen.status).toBe("frozen")
      expect(service.isActive(frozen)).toBe(false)
      expect((await service.freezeAccount(acc.id)).status).toBe("frozen")
      await expectRejectedCleanly(db, () => service.redeem(acc.id, 1), "account_frozen")
      await expectRejectedCleanly(db, () => service.topUp(acc.id, 1), "account_frozen")
      await expectRejectedCleanly(db, () => service.hold(acc.id, 1), "account_frozen")
      const thawed = await service.thawAccount(acc.id)
      expect(thawed.status).toBe("open")
      expect((await service.thawAccount(acc.id)).status).toBe("open")
      await service.redeem(acc.id, 1)
      await expectCode(service.freezeAccount("acc_missing"), "not_found")
      await expectVerified(service)
    })

    it("closes only an empty account, for good", async () => {
      const acc = await service.createAccount({ name: "Closing", currency_code: "usd", initial_amount: 30 })
      await expectRejectedCleanly(db, () => service.closeAccount(acc.id), "account_not_empty")
      await service.withdraw(acc.id, 30)
      const hold = await service.updateAccount(acc.id, { credit_limit: 10 }).then(() => service.hold(acc.id, 5))
      // nothing in the balance but something held: still not empty
      await expectRejectedCleanly(db, () => service.closeAccount(acc.id), "account_not_empty")
      await service.release(hold.id)
      const closed = await service.closeAccount(acc.id)
      expect(closed.status).toBe("closed")
      expect(closed.closed_at).not.toBeNull()
      expect(service.isActive(closed)).toBe(false)
      for (const call of [
        () => service.closeAccount(acc.id),
        () => service.thawAccount(acc.id),
        () => service.freezeAccount(acc.id),
        () => service.topUp(acc.id, 5),
        () => service.transfer("acc_sys_usd_bank", acc.id, 5),
        () => service.redeem(acc.id, 5),
        () => service.hold(acc.id, 1),
      ]) {
        await expectRejectedCleanly(db, call, "account_closed")
      }
      await expectVerified(service)
    })

    it("closes a frozen empty account, and never a core account", async () => {
      const acc = await service.createAccount({ name: "Frozen empty", currency_code: "usd" })
      await service.freezeAccount(acc.id)
      expect((await service.closeAccount(acc.id)).status).toBe("closed")
      await expectRejectedCleanly(db, () => service.closeAccount("acc_sys_usd_lapsed"), "not_authorized")
    })
  })

  describe("statement", () => {
    it("lists entries with the running balance, newest first, with pagination", async () => {
      const acc = await service.createAccount({ name: "Statement", currency_code: "usd", initial_amount: 100 })
      const r1 = await service.redeem(acc.id, 10, { merchant_reference: "order_1" })
      const r2 = await service.redeem(acc.id, "20.50")
      const t1 = await service.topUp(acc.id, 5)

      const all = await service.statement(acc.id)
      expect(all.count).toBe(4)
      expect(all.lines.map((l) => [l.amount, l.balance_after])).toEqual([
        ["5.00", "74.50"],
        ["-20.50", "69.50"],
        ["-10.00", "90.00"],
        ["100.00", "100.00"],
      ])
      expect(all.lines[0]).toMatchObject({ kind: "load", reference: t1.reference, transfer_id: t1.id, counterparty_id: "acc_sys_usd_unpaid_source" })
      expect(all.lines[2]).toMatchObject({ kind: "redemption", reference: r1.reference, merchant_reference: "order_1", counterparty_id: "acc_sys_usd_redemptions" })

      const asc = await service.statement(acc.id, { order: "asc" })
      expect(asc.lines.map((l) => l.balance_after)).toEqual(["100.00", "90.00", "69.50", "74.50"])

      const page = await service.statement(acc.id, { limit: 2, offset: 1 })
      expect(page).toMatchObject({ count: 4, limit: 2, offset: 1 })
      expect(page.lines.map((l) => l.transfer_id)).toEqual([r2.id, r1.id])
      const ascPage = await service.statement(acc.id, { order: "asc", limit: 3, offset: 3 })
      expect(ascPage.lines.map((l) => l.transfer_id)).toEqual([t1.id])
      const beyond = await service.statement(acc.id, { limit: 2, offset: 10 })
      expect(beyond).toMatchObject({ lines: [], count: 4 })

      // the running balance of the last line is the account's balance
      expect(all.lines[0].balance_after).toBe((await service.getAccount(acc.id)).balance)
      // the sales account sees the other side of the redemptions
      const sales = await service.statement("acc_sys_usd_redemptions", { order: "asc" })
      expect(sales.lines.map((l) => [l.amount, l.balance_after])).toEqual([
        ["10.00", "10.00"],
        ["20.50", "30.50"],
      ])
      const none = await service.statement(acc.id, { to: new Date(Date.now() - 86_400_000) })
      expect(none).toMatchObject({ lines: [], count: 0 })
      const later = await service.statement(acc.id, { from: new Date(Date.now() + 86_400_000) })
      expect(later.count).toBe(0)
      await expectCode(service.statement("acc_missing"), "not_found")
      await expectVerified(service)
    })
  })

  describe("isActive", () => {
    it("is open and inside the dates", () => {
      const at = new Date("2030-06-01T00:00:00Z")
      const base = { status: "open" as const, start_date: null, end_date: null }
      expect(service.isActive(base, at)).toBe(true)
      expect(service.isActive({ ...base, status: "frozen" }, at)).toBe(false)
      expect(service.isActive({ ...base, status: "closed" }, at)).toBe(false)
      expect(service.isActive({ ...base, start_date: new Date("2030-06-01T00:00:00Z") }, at)).toBe(true)
      expect(service.isActive({ ...base, start_date: new Date("2030-06-01T00:00:01Z") }, at)).toBe(false)
      expect(service.isActive({ ...base, end_date: new Date("2030-06-01T00:00:01Z") }, at)).toBe(true)
      expect(service.isActive({ ...base, end_date: new Date("2030-06-01T00:00:00Z") }, at)).toBe(false)
    })
  })

  describe("core accounts", () => {
    const ROLES = ["bank", "unpaid_source", "redemptions", "lapsed", "refunds_to_credit"]

    it("creates the configured currencies' core accounts at start-up", async () => {
      const { rows } = await db.raw(`SELECT id, role, currency_code, credit_limit::text, type_id, ledger_balance(id)::text AS balance, status FROM ledger_account ORDER BY id`)
      expect(rows.map((r: any) => r.id).sort()).toEqual(ROLES.map((r) => `acc_sys_usd_${r}`).sort())
      const byRole = Object.fromEntries(rows.map((r: any) => [r.role, r]))
      expect(byRole.bank).toMatchObject({ credit_limit: null, type_id: "lat_assets_cash", status: "open", balance: "0" })
      expect(byRole.unpaid_source).toMatchObject({ credit_limit: null, type_id: "lat_assets_unpaid_sources" })
      expect(byRole.refunds_to_credit).toMatchObject({ credit_limit: null, type_id: "lat_assets_sales" })
      expect(byRole.redemptions).toMatchObject({ credit_limit: "0", type_id: "lat_assets_sales" })
      expect(byRole.lapsed).toMatchObject({ credit_limit: "0", type_id: "lat_assets_sales" })
      const types = await db.raw(`SELECT code, path FROM ledger_account_type ORDER BY code`)
      expect(types.rows).toContainEqual({ code: "liabilities.deferred_income.gift_cards", path: "Liabilities / Deferred income / Gift cards" })
      for (const code of ["assets", "assets.cash", "assets.unpaid_sources", "assets.sales", "liabilities", "liabilities.deferred_income", "liabilities.deferred_income.store_credit"]) {
        expect(types.rows.map((t: any) => t.code)).toContain(code)
      }
    })

    it("ensureCoreAccounts is idempotent", async () => {
      const typesBefore = await countRows(db, "ledger_account_type")
      await service.ensureCoreAccounts(["eur", "EUR", "usd"])
      await service.ensureCoreAccounts(["eur"])
      const eur = await service.getCoreAccount("redemptions", "EUR")
      expect(eur).toMatchObject({ id: "acc_sys_eur_redemptions", currency_code: "eur", role: "redemptions", credit_limit: "0.00", name: "Redemptions" })
      expect(await countRows(db, "ledger_account", "role IS NOT NULL")).toBe(10)
      expect(await countRows(db, "ledger_account_type")).toBe(typesBefore)
      await expectCode(service.getCoreAccount("nope" as any, "usd"), "invalid_request")
      await expectCode(service.ensureCoreAccounts(["euro"]), "invalid_currency")

      // a second instance of the module on the same database (another server starting)
      // runs the loader again: nothing is duplicated, balances are untouched
      await service.topUp((await service.createAccount({ name: "W", currency_code: "usd" })).id, 12)
      const before = await db.raw(`SELECT id, ledger_balance(id)::text AS balance FROM ledger_account ORDER BY id`)
      const other = await loadLedger(dbUrl, { options: { currencies: ["usd", "eur", "gbp"] }, poolMax: 2 })
      try {
        await other.service.ensureCoreAccounts(["usd", "eur"])
        expect(await countRows(db, "ledger_account", "role IS NOT NULL")).toBe(15)
        const after = await db.raw(`SELECT id, ledger_balance(id)::text AS balance FROM ledger_account WHERE currency_code <> 'gbp' ORDER BY id`)
        expect(after.rows).toEqual(before.rows)
      } finally {
        await other.shutdown()
      }
      await expectVerified(service)
    })

    it("creates the core accounts of a currency on first use", async () => {
      const acc = await service.createAccount({ name: "Yen", currency_code: "jpy", initial_amount: 1000 })
      expect(Number(acc.balance)).toBe(1000)
      expect(await countRows(db, "ledger_account", "role IS NOT NULL AND currency_code = 'jpy'")).toBe(5)
      const t = await service.redeem(acc.id, 300)
      expect(t).toMatchObject({ destination_id: "acc_sys_jpy_redemptions", currency_code: "jpy", source_balance: "700", destination_balance: null })
      expect(Number((await service.getAccount("acc_sys_jpy_redemptions")).balance)).toBe(300)
      await expectVerified(service)
    })

    it("still creates a currency's core accounts after the first attempt was rolled back", async () => {
      await service.createAccount({ name: "Taken", currency_code: "usd", code: "TAKEN-CODE" })
      // first use of EUR fails (the code is taken): the whole transaction, core accounts included, rolls back
      await expectCode(service.createAccount({ name: "Euro card", currency_code: "eur", code: "taken-code" }), "code_taken")
      // the next use of EUR must still find (or create) EUR's core accounts
      const acc = await service.createAccount({ name: "Euro card", currency_code: "eur", initial_amount: 10 })
      expect(Number(acc.balance)).toBe(10)
      expect((await service.getCoreAccount("bank", "eur")).id).toBe("acc_sys_eur_bank")
      await expectVerified(service)
    })
  })
})

ledgerModuleSuite(
  "accounts-options",
  ({ service, db }) => {
    it("creates every configured currency's core accounts with the configured names", async () => {
      const { rows } = await db.raw(`SELECT currency_code, count(*)::int AS n FROM ledger_account WHERE role IS NOT NULL GROUP BY currency_code ORDER BY currency_code`)
      expect(rows).toEqual([
        { currency_code: "jpy", n: 5 },
        { currency_code: "kwd", n: 5 },
        { currency_code: "usd", n: 5 },
      ])
      expect((await service.getCoreAccount("redemptions", "usd")).name).toBe("Sales")
      expect((await service.getCoreAccount("bank", "kwd")).name).toBe("Bank")
    })

    it("refuses loads below minLoadAmount, per currency or the default", async () => {
      const acc = await service.createAccount({ name: "W", currency_code: "usd" })
      await expectRejectedCleanly(db, () => service.topUp(acc.id, "4.99"), "amount_too_low")
      await expectRejectedCleanly(db, () => service.createAccount({ name: "Small", currency_code: "usd", initial_amount: 4 }), "amount_too_low")
      expect(Number((await service.topUp(acc.id, 5)).destination_balance)).toBe(5)
      // JPY: 500 minimum; KWD falls back to the default of 1
      const yen = await service.createAccount({ name: "Y", currency_code: "jpy" })
      await expectRejectedCleanly(db, () => service.topUp(yen.id, 499), "amount_too_low")
      await service.topUp(yen.id, 500)
      const kwd = await service.createAccount({ name: "K", currency_code: "kwd" })
      await expectRejectedCleanly(db, () => service.topUp(kwd.id, "0.999"), "amount_too_low")
      await service.topUp(kwd.id, "1.000")
      // spending below the minimum is not a load and is fine
      await service.redeem(acc.id, "0.01")
      await expectVerified(service)
    })

    it("refuses loads that would take the balance above maxAccountBalance", async () => {
      const acc = await service.createAccount({ name: "W", currency_code: "usd", initial_amount: 400 })
      await expectRejectedCleanly(db, () => service.topUp(acc.id, "100.01"), "amount_too_high")
      await expectRejectedCleanly(db, () => service.createAccount({ name: "Big", currency_code: "usd", initial_amount: "500.01" }), "amount_too_high")
      expect(Number((await service.topUp(acc.id, 100)).destination_balance)).toBe(500)
      await expectRejectedCleanly(db, () => service.topUp(acc.id, 5), "amount_too_high")
      // the limit applies to loads, not to a refund coming back
      const spend = await service.redeem(acc.id, 50)
      await service.topUp(acc.id, 50)
      await service.refund(spend.id, 50)
      expect(Number((await service.getAccount(acc.id)).balance)).toBe(550)
      // an explicit max_destination_balance on a transfer
      const other = await service.createAccount({ name: "O", currency_code: "usd", initial_amount: 100 })
      await expectRejectedCleanly(db, () => service.transfer(acc.id, other.id, 20, { max_destination_balance: 110 }), "amount_too_high")
      await service.transfer(acc.id, other.id, 10, { max_destination_balance: 110 })
      await expectVerified(service)
    })

    it("generates codes in the configured format", async () => {
      const acc = await service.createAccount({ name: "Gift", currency_code: "usd", generate_code: true })
      expect(acc.code).toMatch(/^[0-9A-HJKMNP-TV-Z]{20}$/)
      expect(service.formatCode(acc.code)).toMatch(/^[0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5}$/)
      expect((await service.getAccountByCode(service.formatCode(acc.code)!.toLowerCase())).id).toBe(acc.id)
    })
  },
  {
    currencies: ["usd", "jpy", "kwd"],
    accountNames: { redemptions: "Sales" },
    minLoadAmount: { usd: 5, jpy: 500, "*": 1 },
    maxAccountBalance: { usd: 500 },
    code: { length: 20, groupSize: 5 },
  }
)
