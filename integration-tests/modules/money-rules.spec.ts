import fs from "fs"
import path from "path"
import { currencyDecimals } from "../../src/modules/ledger/money"
import { ledgerModuleSuite, expectCode } from "../support/ledger-runner"
import {
  FUTURE,
  PAST,
  countRows,
  dbBalance,
  expectRejectedCleanly,
  expectVerified,
  sleep,
  snapshot,
} from "../support/ledger-helpers"

jest.setTimeout(60000)

const SALES = "acc_sys_usd_redemptions"
const sleepUntil = async (t: number) => {
  if (t > Date.now()) await sleep(t - Date.now())
}
const LAPSED = "acc_sys_usd_lapsed"
const UNPAID = "acc_sys_usd_unpaid_source"

ledgerModuleSuite("money-rules", ({ service, db }) => {
  const wallet = (initial: number | string = 100, extra: Record<string, unknown> = {}) =>
    service.createAccount({ name: "Wallet", currency_code: "usd", initial_amount: initial || undefined, ...extra } as any)

  describe("invalid_amount", () => {
    const BAD: [string, unknown][] = [
      ["zero", 0],
      ["zero string", "0"],
      ["zero with decimals", "0.00"],
      ["negative", -5],
      ["negative string", "-5"],
      ["NaN", NaN],
      ["Infinity", Infinity],
      ["-Infinity", -Infinity],
      ["exponent string", "1e3"],
      ["exponent number", 1e21],
      ["tiny number", 1e-7],
      ["binary float noise", 0.1 + 0.2],
      ["not a number", "ten"],
      ["empty string", ""],
      ["hex", "0x10"],
      ["null", null],
      ["object", { value: 5 }],
      ["absurd size", "1000000000000.01"],
      ["absurd digits", "99999999999999999999"],
      ["five decimals", "1.00001"],
    ]

    it.each(BAD)("refuses %s everywhere an amount is taken, writing nothing", async (_label, amount: any) => {
      const acc = await wallet(100, { credit_limit: 10 })
      const other = await wallet(10)
      const load = (await service.statement(acc.id)).lines[0].transfer_id
      const hold = await service.hold(acc.id, 5)
      const calls: (() => Promise<unknown>)[] = [
        () => service.redeem(acc.id, amount),
        () => service.transfer(acc.id, other.id, amount),
        () => service.topUp(acc.id, amount),
        () => service.withdraw(acc.id, amount),
        () => service.hold(acc.id, amount),
        () => service.refund(load, amount),
        () => service.capture(hold.id, { amount }),
      ]
      // null means "none" for these two; zero is a valid maximum balance
      if (amount !== null) {
        calls.push(() => service.createAccount({ name: "New", currency_code: "usd", initial_amount: amount }))
        if (!["0", "0.00", 0].includes(amount)) {
          calls.push(() => service.transfer(acc.id, other.id, 1, { max_destination_balance: amount }))
        }
      }
      for (const call of calls) {
        await expectRejectedCleanly(db, call, "invalid_amount")
      }
      await expectVerified(service)
    })

    it("refuses more decimals than the currency has (USD 2, JPY 0, KWD 3) in the database too", async () => {
      const usd = await wallet(100)
      const jpy = await service.createAccount({ name: "Yen", currency_code: "jpy", initial_amount: 1000 })
      const kwd = await service.createAccount({ name: "Dinar", currency_code: "kwd", initial_amount: 10 })
      // the service does not know the currency of these calls: the posting function checks
      await expectRejectedCleanly(db, () => service.redeem(usd.id, "1.005"), "invalid_amount")
      await expectRejectedCleanly(db, () => service.redeem(usd.id, 1.001), "invalid_amount")
      await expectRejectedCleanly(db, () => service.hold(usd.id, "0.001"), "invalid_amount")
      await expectRejectedCleanly(db, () => service.redeem(jpy.id, "1.5"), "invalid_amount")
      await expectRejectedCleanly(db, () => service.hold(jpy.id, "0.5"), "invalid_amount")
      await expectRejectedCleanly(db, () => service.transfer("@bank", jpy.id, "10.1"), "invalid_amount")
      await expectRejectedCleanly(db, () => service.redeem(kwd.id, "1.0005"), "invalid_amount")
      // where it knows the currency, the service checks first
      await expectRejectedCleanly(db, () => service.topUp(jpy.id, "1.5"), "invalid_amount")
      await expectRejectedCleanly(db, () => service.topUp(kwd.id, "1.0005"), "invalid_amount")
      await expectRejectedCleanly(db, () => service.topUp(usd.id, "1.005"), "invalid_amount")
      await expectRejectedCleanly(db, () => service.createAccount({ name: "Y", currency_code: "jpy", credit_limit: "0.5" }), "invalid_amount")
      // a partial capture with too many decimals
      const h = await service.hold(usd.id, 10)
      await expectRejectedCleanly(db, () => service.capture(h.id, { amount: "5.555" }), "invalid_amount")
      const hj = await service.hold(jpy.id, 10)
      await expectRejectedCleanly(db, () => service.capture(hj.id, { amount: "5.5" }), "invalid_amount")

      // what the currency allows passes, trailing zeros included
      expect(Number((await service.redeem(usd.id, "1.01")).amount)).toBe(1.01)
      expect(Number((await service.redeem(usd.id, "1.100")).amount)).toBe(1.1)
      expect(Number((await service.redeem(jpy.id, "15")).amount)).toBe(15)
      expect(Number((await service.redeem(jpy.id, "1.0")).amount)).toBe(1)
      expect(Number((await service.redeem(kwd.id, "1.005")).amount)).toBe(1.005)
      expect(Number((await service.redeem(kwd.id, "0.001")).amount)).toBe(0.001)
      expect(Number((await service.getAccount(kwd.id)).balance)).toBe(8.994)
      // the largest amount accepted
      await service.transfer("@bank", usd.id, "1000000000000")
      expect(Number((await dbBalance(db, usd.id)).balance)).toBe(1000000000097.89)
      await expectVerified(service)
    })

    it("the database's ledger_currency_decimals agrees with money.ts for every currency", async () => {
      // the currencies money.ts lists (its MINOR_UNITS table), read from its source
      const source = fs.readFileSync(path.join(__dirname, "../../src/modules/ledger/money.ts"), "utf8")
      const start = source.indexOf("MINOR_UNITS")
      const table = source.slice(start, source.indexOf("}", start))
      const listed = [...table.matchAll(/\b([a-z]{3}):\s*(\d+)/g)].map((m) => [m[1], Number(m[2])] as const)
      expect(listed.length).toBeGreaterThanOrEqual(26)
      for (const [currency, decimals] of listed) expect([currency, currencyDecimals(currency)]).toEqual([currency, decimals])
      // and the ones the SQL function names, in case it lists one money.ts does not
      const { rows: fn } = await db.raw(`SELECT prosrc FROM pg_proc WHERE proname = 'ledger_currency_decimals'`)
      expect(fn).toHaveLength(1)
      const inSql = [...String(fn[0].prosrc).matchAll(/'([a-z]{3})'/g)].map((m) => m[1])
      expect(inSql.length).toBeGreaterThanOrEqual(26)
      const twoDecimals = ["usd", "eur", "gbp", "chf", "cad", "aud", "inr", "mxn", "brl", "sek", "zar", "cny"]
      const currencies = [...new Set([...listed.map(([c]) => c), ...inSql, ...twoDecimals])]
      const { rows } = await db.raw(`SELECT c, ledger_currency_decimals(c) AS d FROM unnest(?::text[]) AS c`, [currencies])
      expect(Object.fromEntries(rows.map((r: any) => [r.c, Number(r.d)]))).toEqual(Object.fromEntries(currencies.map((c) => [c, currencyDecimals(c)])))
      for (const c of twoDecimals) expect(currencyDecimals(c)).toBe(2)
    })

    it("keeps exact decimal arithmetic (no floating point drift)", async () => {
      const acc = await wallet("0.3")
      await service.redeem(acc.id, "0.1")
      await service.redeem(acc.id, 0.2)
      const after = await service.getAccount(acc.id)
      expect(Number(after.balance)).toBe(0)
      const { balance, entries } = await dbBalance(db, acc.id)
      expect([Number(balance), Number(entries)]).toEqual([0, 0])
      await expectRejectedCleanly(db, () => service.redeem(acc.id, "0.01"), "insufficient_funds")
      await expectVerified(service)
    })
  })

  it("currency_mismatch: accounts of a transfer must share its currency", async () => {
    const usd = await wallet(50)
    const eur = await service.createAccount({ name: "Euro", currency_code: "eur", initial_amount: 50 })
    await expectRejectedCleanly(db, () => service.transfer(usd.id, eur.id, 10), "currency_mismatch")
    await expectRejectedCleanly(db, () => service.transfer(eur.id, usd.id, 10), "currency_mismatch")
    await expectRejectedCleanly(db, () => service.transfer(usd.id, "acc_sys_eur_redemptions", 10), "currency_mismatch")
    const h = await service.hold(usd.id, 10)
    await expectRejectedCleanly(db, () => service.capture(h.id, { destination_id: "acc_sys_eur_redemptions" }), "currency_mismatch")
    await expectRejectedCleanly(db, () => service.withdraw(usd.id, 5, { destination_id: "acc_sys_eur_bank" }), "currency_mismatch")
    // a role resolves in the other side's currency
    expect((await service.redeem(eur.id, 5)).destination_id).toBe("acc_sys_eur_redemptions")
    await expectVerified(service)
  })

  it("account_inactive: outside its dates an account cannot pay but can receive", async () => {
    const early = await wallet(50)
    await service.updateAccount(early.id, { start_date: FUTURE() })
    const late = await wallet(50)
    await service.updateAccount(late.id, { end_date: PAST() })
    const other = await wallet(50)
    for (const acc of [early, late]) {
      await expectRejectedCleanly(db, () => service.redeem(acc.id, 1), "account_inactive")
      await expectRejectedCleanly(db, () => service.transfer(acc.id, other.id, 1), "account_inactive")
      await expectRejectedCleanly(db, () => service.withdraw(acc.id, 1), "account_inactive")
      await expectRejectedCleanly(db, () => service.hold(acc.id, 1), "account_inactive")
      // receiving is fine
      await service.transfer(other.id, acc.id, 2)
      await service.topUp(acc.id, 3)
    }
    // reversing a transfer into an inactive account makes it pay: refused
    const paid = await service.transfer(other.id, early.id, 4)
    await expectRejectedCleanly(db, () => service.reverse(paid.id), "account_inactive")
    await expectRejectedCleanly(db, () => service.refund(paid.id, 1), "account_inactive")
    expect(Number((await service.getAccount(early.id)).balance)).toBe(59)
    expect(Number((await service.getAccount(late.id)).balance)).toBe(55)
    await expectVerified(service)
  })

  it("account_frozen: a frozen account neither pays nor receives", async () => {
    const acc = await wallet(50)
    const other = await wallet(50)
    const spent = await service.redeem(acc.id, 10)
    const received = await service.transfer(other.id, acc.id, 5)
    const hold = await service.hold(acc.id, 5)
    await service.freezeAccount(acc.id)
    for (const call of [
      () => service.redeem(acc.id, 1),
      () => service.withdraw(acc.id, 1),
      () => service.transfer(acc.id, other.id, 1),
      () => service.transfer(other.id, acc.id, 1),
      () => service.topUp(acc.id, 1),
      () => service.hold(acc.id, 1),
      () => service.capture(hold.id),
      () => service.reverse(spent.id),
      () => service.refund(spent.id, 1),
      () => service.reverse(received.id),
    ]) {
      await expectRejectedCleanly(db, call, "account_frozen")
    }
    // a frozen core account too
    await service.freezeAccount(SALES)
    await expectRejectedCleanly(db, () => service.redeem(other.id, 1), "account_frozen")
    await service.thawAccount(SALES)
    await service.thawAccount(acc.id)
    await service.capture(hold.id)
    await expectVerified(service)
  })

  it("account_closed: a closed account neither pays nor receives", async () => {
    const acc = await wallet(20)
    const t = await service.redeem(acc.id, 20)
    await service.closeAccount(acc.id)
    const other = await wallet(10)
    for (const call of [
      () => service.topUp(acc.id, 1),
      () => service.transfer(other.id, acc.id, 1),
      () => service.redeem(acc.id, 1),
      () => service.hold(acc.id, 1),
      () => service.reverse(t.id),
      () => service.refund(t.id, 5),
      () => service.freezeAccount(acc.id),
      () => service.closeAccount(acc.id),
      () => service.updateAccount(acc.id, { name: "x" }),
    ]) {
      await expectRejectedCleanly(db, call, "account_closed")
    }
    await expectVerified(service)
  })

  it("account_not_empty: only an empty account closes", async () => {
    const acc = await wallet(20)
    await expectRejectedCleanly(db, () => service.closeAccount(acc.id), "account_not_empty")
    const negative = await service.createAccount({ name: "Credit", currency_code: "usd", credit_limit: 30 })
    await service.redeem(negative.id, 5)
    await expectRejectedCleanly(db, () => service.closeAccount(negative.id), "account_not_empty")
    const held = await service.createAccount({ name: "Held", currency_code: "usd", credit_limit: 30 })
    await service.hold(held.id, 5)
    await expectRejectedCleanly(db, () => service.closeAccount(held.id), "account_not_empty")
    await expectVerified(service)
  })

  it("insufficient_funds: balance + credit limit - held", async () => {
    const acc = await wallet(100)
    await expectRejectedCleanly(db, () => service.redeem(acc.id, "100.01"), "insufficient_funds")
    await service.hold(acc.id, 30)
    await expectRejectedCleanly(db, () => service.redeem(acc.id, "70.01"), "insufficient_funds")
    await expectRejectedCleanly(db, () => service.hold(acc.id, "70.01"), "insufficient_funds")
    await service.updateAccount(acc.id, { credit_limit: 20 })
    await expectRejectedCleanly(db, () => service.redeem(acc.id, "90.01"), "insufficient_funds")
    expect(Number((await service.redeem(acc.id, 90)).source_balance)).toBe(10)
    expect(await service.getAccount(acc.id)).toMatchObject({ balance: "10.00", held: "30.00", available: "0.00" })
    // reversing a load whose money is spent
    const card = await wallet(50)
    const load = (await service.statement(card.id)).lines[0].transfer_id
    await service.redeem(card.id, 40)
    await expectRejectedCleanly(db, () => service.reverse(load), "insufficient_funds")
    await expectRejectedCleanly(db, () => service.refund(load, 11), "insufficient_funds")
    await service.refund(load, 10)
    // a redemptions account never goes below zero: it can only give back what it received
    const other = await wallet(5)
    expect(Number((await service.getAccount(SALES)).balance)).toBe(130)
    await expectRejectedCleanly(db, () => service.transfer(SALES, other.id, "130.01"), "insufficient_funds")
    await expectVerified(service)
  })

  it("the error message of a refusal from the database is readable", async () => {
    const acc = await wallet(10)
    const e1 = await expectCode(service.redeem(acc.id, 50), "insufficient_funds")
    expect(e1.message).toContain(acc.id)
    expect(e1.message).not.toMatch(/^hint:/)
    await service.freezeAccount(acc.id)
    const e2 = await expectCode(service.redeem(acc.id, 1), "account_frozen")
    expect(e2.message).toContain("frozen")
    expect(e2.type).toBe("not_allowed")
  })

  it("already_reversed, and a reversal moves only the unrefunded rest", async () => {
    const acc = await wallet(100)
    const t = await service.redeem(acc.id, 60)
    await service.refund(t.id, 15)
    expect(await service.refundableAmount(t.reference)).toBe("45.00")
    const rev = await service.reverse(t.reference)
    expect(rev).toMatchObject({ kind: "reversal", amount: "45.00", parent_id: t.id, source_id: SALES, destination_id: acc.id })
    expect(await service.refundableAmount(t.id)).toBe("0.00")
    await expectRejectedCleanly(db, () => service.reverse(t.id), "already_reversed")
    await expectRejectedCleanly(db, () => service.reverse(t.reference), "already_reversed")
    await expectRejectedCleanly(db, () => service.refund(t.id, "0.01"), "refund_exceeds_transfer")
    expect(Number((await service.getAccount(acc.id)).balance)).toBe(100)
    expect(Number((await service.getAccount(SALES)).balance)).toBe(0)
    await expectVerified(service)
  })

  it("not_reversible: refunds, reversals and expiries cannot be refunded or reversed", async () => {
    const acc = await wallet(100)
    const t = await service.redeem(acc.id, 50)
    const refund = await service.refund(t.id, 10)
    const reversal = await service.reverse(t.id)
    for (const child of [refund, reversal]) {
      await expectRejectedCleanly(db, () => service.reverse(child.id), "not_reversible")
      await expectRejectedCleanly(db, () => service.refund(child.id, 1), "not_reversible")
      expect(await service.refundableAmount(child.id)).toBe("0.00")
    }
    const expiring = await wallet(5)
    await service.updateAccount(expiring.id, { end_date: PAST() })
    await service.closeExpiredAccounts()
    const [expiry] = (await db.raw(`SELECT id FROM ledger_transfer WHERE kind = 'expiry'`)).rows
    await expectRejectedCleanly(db, () => service.reverse(expiry.id), "not_reversible")
    await expectRejectedCleanly(db, () => service.refund(expiry.id, 1), "not_reversible")
    await expectVerified(service)
  })

  it("refund_exceeds_transfer: the refunds of a transfer never add up to more than it", async () => {
    const acc = await wallet(100)
    const t = await service.redeem(acc.id, 50)
    await expectRejectedCleanly(db, () => service.refund(t.id, "50.01"), "refund_exceeds_transfer")
    await service.refund(t.id, 20)
    await service.refund(t.id, "29.99")
    await expectRejectedCleanly(db, () => service.refund(t.id, "0.02"), "refund_exceeds_transfer")
    const last = await service.refund(t.id, "0.01")
    expect(last).toMatchObject({ kind: "refund", parent_id: t.id, source_id: SALES, destination_id: acc.id })
    // fully refunded: nothing left to reverse
    await expectRejectedCleanly(db, () => service.refund(t.id, "0.01"), "refund_exceeds_transfer")
    await expectRejectedCleanly(db, () => service.reverse(t.id), "refund_exceeds_transfer")
    expect(Number((await service.getAccount(acc.id)).balance)).toBe(100)
    await expectVerified(service)
  })

  it("idempotency: same key and arguments replay, different arguments conflict", async () => {
    const acc = await wallet(100)
    const other = await wallet(0)
    const first = await service.redeem(acc.id, 10, { idempotency_key: "k-redeem", merchant_reference: "order_1" })
    expect(first.replayed).toBe(false)
    const before = await snapshot(db)
    const again = await service.redeem(acc.id, "10.00", { idempotency_key: "k-redeem", merchant_reference: "order_1" })
    expect(again).toMatchObject({ id: first.id, reference: first.reference, replayed: true, amount: "10.00" })
    expect(await snapshot(db)).toEqual(before)
    for (const call of [
      () => service.redeem(acc.id, 11, { idempotency_key: "k-redeem" }),
      () => service.redeem(other.id, 10, { idempotency_key: "k-redeem" }),
      () => service.transfer(acc.id, other.id, 10, { idempotency_key: "k-redeem" }),
      () => service.transfer(acc.id, SALES, 10, { idempotency_key: "k-redeem", kind: "transfer" }),
      () => service.withdraw(acc.id, 10, { idempotency_key: "k-redeem" }),
      () => service.refund(first.id, 10, { idempotency_key: "k-redeem" }),
      () => service.reverse(first.id, { idempotency_key: "k-redeem" }),
    ]) {
      await expectRejectedCleanly(db, call, "idempotency_conflict")
    }
    // refunds, reversals and captures replay too
    const r1 = await service.refund(first.id, 3, { idempotency_key: "k-refund" })
    expect((await service.refund(first.id, 3, { idempotency_key: "k-refund" })).id).toBe(r1.id)
    await expectRejectedCleanly(db, () => service.refund(first.id, 4, { idempotency_key: "k-refund" }), "idempotency_conflict")
    const rev = await service.reverse(first.id, { idempotency_key: "k-rev" })
    const rev2 = await service.reverse(first.id, { idempotency_key: "k-rev" })
    expect(rev2).toMatchObject({ id: rev.id, replayed: true, amount: "7.00" })
    // holds have their own keys
    const h = await service.hold(acc.id, 5, { idempotency_key: "k-hold" })
    expect((await service.hold(acc.id, 5, { idempotency_key: "k-hold" })).id).toBe(h.id)
    await expectRejectedCleanly(db, () => service.hold(acc.id, 6, { idempotency_key: "k-hold" }), "idempotency_conflict")
    await expectRejectedCleanly(db, () => service.hold(other.id, 5, { idempotency_key: "k-hold" }), "idempotency_conflict")
    const c = await service.capture(h.id, { idempotency_key: "k-capture" })
    expect((await service.capture(h.id, { idempotency_key: "k-capture" })).id).toBe(c.id)
    await expectRejectedCleanly(db, () => service.capture(h.id, { idempotency_key: "k-capture", amount: 4 }), "idempotency_conflict")
    expect(await countRows(db, "ledger_transfer", "idempotency_key IS NOT NULL")).toBe(4)
    // a refused posting does not burn its key
    await expectRejectedCleanly(db, () => service.redeem(other.id, 1, { idempotency_key: "k-later" }), "insufficient_funds")
    await service.topUp(other.id, 1)
    expect((await service.redeem(other.id, 1, { idempotency_key: "k-later" })).replayed).toBe(false)
    await expectVerified(service)
  })

  it("same_account: a transfer needs two different accounts", async () => {
    const acc = await wallet(10)
    await expectRejectedCleanly(db, () => service.transfer(acc.id, acc.id, 1), "same_account")
    await expectRejectedCleanly(db, () => service.transfer(SALES, "@redemptions", 1), "same_account")
    await expectRejectedCleanly(db, () => service.withdraw(UNPAID, 1), "same_account")
    await expectVerified(service)
  })

  it("not_found: unknown accounts, transfers and holds", async () => {
    const acc = await wallet(10)
    for (const call of [
      () => service.getAccount("acc_missing"),
      () => service.getTransfer("ltr_missing"),
      () => service.getAccountByCode("NOSUCHCODE"),
      () => service.redeem("acc_missing", 1),
      () => service.transfer(acc.id, "acc_missing", 1),
      () => service.transfer("acc_missing", acc.id, 1),
      () => service.transfer("@bank", "acc_missing", 1),
      () => service.topUp("acc_missing", 1),
      () => service.reverse("ltr_missing"),
      () => service.refund("ltr_missing", 1),
      () => service.refundableAmount("ltr_missing"),
      () => service.hold("acc_missing", 1),
      () => service.capture("lhold_missing"),
      () => service.release("lhold_missing"),
      () => service.closeAccount("acc_missing"),
      () => service.updateAccount("acc_missing", { name: "x" }),
    ]) {
      await expectRejectedCleanly(db, call, "not_found")
    }
    await expectVerified(service)
  })

  it("invalid_request: malformed references", async () => {
    const acc = await wallet(10)
    for (const call of [
      () => service.transfer("@nobody", acc.id, 1),
      () => service.transfer("@bank", "@redemptions", 1),
      () => service.transfer(acc.id, "", 1),
      () => service.transfer(acc.id, SALES, 1, { kind: "reversal" as any }),
      () => service.hold(acc.id, 1, { expires_at: PAST() }),
      () => service.hold(acc.id, 1, { expires_at: "garbage" }),
    ]) {
      await expectRejectedCleanly(db, call, "invalid_request")
    }
    await expectVerified(service)
  })

  it("code_taken: codes are unique whatever their spelling", async () => {
    await service.createAccount({ name: "A", currency_code: "usd", code: "SUMMER-2030" })
    await expectRejectedCleanly(db, () => service.createAccount({ name: "B", currency_code: "usd", code: "summer2030" }), "code_taken")
    await expectRejectedCleanly(
      db,
      () => service.createAccount({ name: "B", currency_code: "eur", code: "Summer 2030", initial_amount: 10 }),
      "code_taken"
    )
    await expectRejectedCleanly(db, () => service.createAccountType({ name: "Store credit", code: "liabilities.deferred_income.store_credit" }), "code_taken")
    await expectVerified(service)
  })

  it("invalid_credit_limit: a limit below what the account uses is refused", async () => {
    const acc = await service.createAccount({ name: "Credit", currency_code: "usd", credit_limit: 100 })
    await service.redeem(acc.id, 60)
    await service.hold(acc.id, 20)
    await expectRejectedCleanly(db, () => service.updateAccount(acc.id, { credit_limit: 79 }), "invalid_credit_limit")
    await expectRejectedCleanly(db, () => service.updateAccount(acc.id, { credit_limit: 0, name: "renamed" }), "invalid_credit_limit")
    await service.updateAccount(acc.id, { credit_limit: 80 })
    await expectVerified(service)
  })

  it("not_authorized: the generated writers of the money models are closed", async () => {
    const acc = await wallet(10)
    const s = service as any
    // The generated methods are named after the models' keys (createTransfers or
    // createLedgerTransfers, ...): find every writer of a money model, whatever its name.
    const names = new Set<string>()
    for (let o = s; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
      Object.getOwnPropertyNames(o).forEach((n) => names.add(n))
    }
    // the proxy of the test runner hides the instance: ask for the known spellings too
    for (const verb of ["create", "update", "delete", "softDelete", "restore", "upsert"]) {
      for (const model of ["Accounts", "Transfers", "Entries", "Holds"]) {
        for (const prefix of ["", "Ledger"]) {
          if (typeof s[`${verb}${prefix}${model}`] === "function") names.add(`${verb}${prefix}${model}`)
        }
      }
    }
    // (createAccounts is the ledger's own batch of createAccount, not a generated writer)
    const writers = [...names].filter(
      (n) => /^(create|update|upsert|delete|softDelete|restore)(Ledger)?(Accounts|Transfers|Entries|Holds)$/.test(n) && n !== "createAccounts" && typeof s[n] === "function"
    )
    for (const model of ["Accounts", "Transfers", "Entries", "Holds"]) {
      for (const verb of ["create", "update", "delete"]) {
        expect({ verb, model, found: writers.some((w) => w.startsWith(verb) && w.endsWith(model)) }).toEqual({ verb, model, found: true })
      }
    }
    const argsFor = (name: string): unknown[] => {
      if (name.startsWith("create") || name.startsWith("upsert")) {
        if (name.endsWith("Accounts")) return [{ name: "x", currency_code: "usd", type_id: "lat_liabilities_deferred_income_store_credit", balance: 1000 }]
        if (name.endsWith("Transfers")) return [{ reference: "X", source_id: UNPAID, destination_id: acc.id, amount: 5, currency_code: "usd" }]
        if (name.endsWith("Entries")) return [{ account_id: acc.id, amount: 1000, balance_after: 1000, transfer_id: "ltr_x" }]
        return [{ account_id: acc.id, amount: 1 }]
      }
      if (name.startsWith("update")) {
        return name.endsWith("Accounts") ? [{ id: acc.id, balance: 1000 }] : [{ id: "x", amount: 1 }]
      }
      return [[name.endsWith("Accounts") ? acc.id : "x"]]
    }
    for (const method of writers) {
      await expectRejectedCleanly(db, async () => s[method](...argsFor(method)), "not_authorized")
    }
    // the generated readers still work
    const list = typeof s.listLedgerAccounts === "function" ? s.listLedgerAccounts : s.listAccounts
    const [listed] = await list.call(s, { id: acc.id })
    expect(listed.id).toBe(acc.id)
    await expectVerified(service)
  })

  describe("immutability (invariant 5)", () => {
    it("the database refuses UPDATE, DELETE and TRUNCATE of transfers and entries", async () => {
      const acc = await wallet(10)
      const before = await snapshot(db)
      const statements = [
        `UPDATE ledger_transfer SET amount = 1000`,
        `UPDATE ledger_transfer SET description = 'edited'`,
        `UPDATE ledger_transfer SET deleted_at = now()`,
        `DELETE FROM ledger_transfer`,
        `TRUNCATE ledger_transfer CASCADE`,
        `UPDATE ledger_entry SET amount = amount * 2`,
        `UPDATE ledger_entry SET deleted_at = now()`,
        `DELETE FROM ledger_entry WHERE account_id = '${acc.id}'`,
        `TRUNCATE ledger_entry`,
        // (with the lot tables, which reference transfers, or PostgreSQL refuses it for their keys first)
        `TRUNCATE ledger_entry, ledger_transfer, ledger_lot, ledger_lot_move`,
      ]
      for (const sql of statements) {
        let error: any
        try {
          await db.raw(sql)
        } catch (e) {
          error = e
        }
        expect({ sql, code: error?.code, hint: error?.hint }).toEqual({ sql, code: "LG001", hint: "immutable" })
      }
      expect(await snapshot(db)).toEqual(before)
      await expectVerified(service)
    })

    it("verify notices a disabled guard", async () => {
      await db.raw(`ALTER TABLE ledger_entry DISABLE TRIGGER ledger_entry_immutable`)
      const result = await service.verify()
      expect(result.ok).toBe(false)
      expect(result.checks.find((c) => c.name === "transfers_append_only")).toMatchObject({ ok: false, count: 1 })
      await db.raw(`ALTER TABLE ledger_entry ENABLE TRIGGER ledger_entry_immutable`)
      await expectVerified(service)
    })

    it("verify notices a tampered balance", async () => {
      const acc = await wallet(10)
      await db.raw(`UPDATE ledger_account SET balance = 11 WHERE id = ?`, [acc.id])
      const result = await service.verify()
      expect(result.checks.find((c) => c.name === "cached_balance_matches_entries")).toMatchObject({ ok: false })
      expect(result.ok).toBe(false)
    })
  })

  describe("holds", () => {
    it("a hold reserves funds; a partial capture releases the rest", async () => {
      const acc = await wallet(100)
      const h = await service.hold(acc.id, 50, { reference: "cart_1", metadata: { x: 1 } })
      expect(h).toMatchObject({ status: "open", amount: "50.00", captured_amount: "0.00", currency_code: "usd", reference: "cart_1", account_id: acc.id })
      expect(await service.getAccount(acc.id)).toMatchObject({ balance: "100.00", held: "50.00", available: "50.00" })
      await expectRejectedCleanly(db, () => service.redeem(acc.id, "50.01"), "insufficient_funds")
      const t = await service.capture(h.id, { amount: 30, merchant_reference: "order_1" })
      expect(t).toMatchObject({ kind: "capture", amount: "30.00", hold_id: h.id, source_id: acc.id, destination_id: SALES, source_balance: "70.00" })
      expect(await service.getAccount(acc.id)).toMatchObject({ balance: "70.00", held: "0.00", available: "70.00" })
      const [row] = (await db.raw(`SELECT status, captured_amount::text, transfer_id FROM ledger_hold WHERE id = ?`, [h.id])).rows
      expect(row).toEqual({ status: "captured", captured_amount: "30", transfer_id: t.id })
      // the captured transfer is refundable like any other
      await service.refund(t.id, 10)
      expect(Number((await service.getAccount(acc.id)).balance)).toBe(80)
      await expectVerified(service)
    })

    it("a full capture takes the hold's amount, to a chosen destination", async () => {
      const acc = await wallet(100)
      const other = await wallet(0)
      const h = await service.hold(acc.id, "12.34")
      const t = await service.capture(h.id, { destination_id: other.id })
      expect(t).toMatchObject({ amount: "12.34", destination_id: other.id, destination_balance: "12.34", source_balance: "87.66" })
      expect(Number((await service.getAccount(acc.id)).held)).toBe(0)
      await expectVerified(service)
    })

    it("release twice is harmless; a captured hold cannot be released or captured again (hold_not_open)", async () => {
      const acc = await wallet(100)
      const h1 = await service.hold(acc.id, 40)
      const r1 = await service.release(h1.id)
      expect(r1.status).toBe("released")
      const before = await snapshot(db)
      const r2 = await service.release(h1.id)
      expect(r2).toMatchObject({ id: h1.id, status: "released" })
      expect(await snapshot(db)).toEqual(before)
      expect(Number((await service.getAccount(acc.id)).held)).toBe(0)
      await expectRejectedCleanly(db, () => service.capture(h1.id), "hold_not_open")

      const h2 = await service.hold(acc.id, 40)
      await service.capture(h2.id, { amount: 10 })
      await expectRejectedCleanly(db, () => service.release(h2.id), "hold_not_open")
      await expectRejectedCleanly(db, () => service.capture(h2.id, { amount: 5 }), "hold_not_open")
      await expectRejectedCleanly(db, () => service.capture(h2.id), "hold_not_open")
      expect(await service.getAccount(acc.id)).toMatchObject({ balance: "90.00", held: "0.00" })
      await expectVerified(service)
    })

    it("hold_exceeded: a capture never takes more than the hold", async () => {
      const acc = await wallet(100)
      const h = await service.hold(acc.id, 20)
      await expectRejectedCleanly(db, () => service.capture(h.id, { amount: "20.01" }), "hold_exceeded")
      await expectRejectedCleanly(db, () => service.capture(h.id, { amount: 50 }), "hold_exceeded")
      await service.capture(h.id, { amount: 20 })
      await expectVerified(service)
    })

    it("hold_expired: an expired hold cannot be captured", async () => {
      const acc = await wallet(100)
      const expiry = Date.now() + 1000
      const h = await service.hold(acc.id, 20, { expires_at: new Date(expiry) })
      await sleepUntil(expiry + 100)
      await expectRejectedCleanly(db, () => service.capture(h.id), "hold_expired")
      await expectRejectedCleanly(db, () => service.capture(h.id, { amount: 1 }), "hold_expired")
      // until swept, it still counts as held; releasing it is allowed
      expect((await service.release(h.id)).status).toBe("released")
      expect(Number((await service.getAccount(acc.id)).held)).toBe(0)
      await expectVerified(service)
    })

    it("a hold placed before the end date can still be captured after it", async () => {
      const acc = await wallet(100)
      const h = await service.hold(acc.id, 20)
      const end = Date.now() + 300
      await service.updateAccount(acc.id, { end_date: new Date(end) })
      await sleepUntil(end + 100)
      await expectCode(service.redeem(acc.id, 1), "account_inactive")
      const t = await service.capture(h.id)
      expect(Number(t.source_balance)).toBe(80)
      await expectVerified(service)
    })
  })

  describe("closeExpiredAccounts", () => {
    it("moves what is not held to Lapsed, closes the accounts without holds and releases expired holds", async () => {
      const expired = await wallet("30.25")
      const expiredHeld = await wallet(50)
      const openHold = await service.hold(expiredHeld.id, 20)
      const empty = await service.createAccount({ name: "Empty", currency_code: "usd" })
      const negative = await service.createAccount({ name: "Negative", currency_code: "usd", credit_limit: 50 })
      await service.redeem(negative.id, 20)
      const alive = await wallet(10)
      const future = await wallet(10, { end_date: FUTURE() })
      const expiry = Date.now() + 1000
      const shortHold = await service.hold(alive.id, 4, { expires_at: new Date(expiry) })
      const longHold = await service.hold(alive.id, 3, { expires_at: FUTURE() })
      for (const acc of [expired, expiredHeld, empty, negative]) {
        await service.updateAccount(acc.id, { end_date: PAST() })
      }
      await sleepUntil(expiry + 100)

      const result = await service.closeExpiredAccounts()
      expect([...result.closed].sort()).toEqual([expired.id, empty.id].sort())
      expect(result.kept_for_holds).toEqual([expiredHeld.id])
      expect(result.skipped_negative).toEqual([negative.id])
      expect(result.released_holds).toEqual([shortHold.id])

      expect(await service.getAccount(expired.id)).toMatchObject({ status: "closed", balance: "0.00", held: "0.00" })
      // the 20 held for a payment placed before the end date stay: that hold can still be captured
      expect(await service.getAccount(expiredHeld.id)).toMatchObject({ status: "open", balance: "20.00", held: "20.00" })
      expect(await service.getAccount(empty.id)).toMatchObject({ status: "closed", balance: "0.00" })
      expect(await service.getAccount(negative.id)).toMatchObject({ status: "open", balance: "-20.00" })
      expect(await service.getAccount(alive.id)).toMatchObject({ status: "open", balance: "10.00", held: "3.00" })
      expect(await service.getAccount(future.id)).toMatchObject({ status: "open", balance: "10.00" })
      expect((await service.getAccount(LAPSED)).balance).toBe("60.25")
      const { rows } = await db.raw(
        `SELECT source_id, destination_id, amount::text FROM ledger_transfer WHERE kind = 'expiry' ORDER BY amount`
      )
      expect(rows).toEqual(
        [
          { source_id: expiredHeld.id, destination_id: LAPSED, amount: "30" },
          { source_id: expired.id, destination_id: LAPSED, amount: "30.25" },
        ]
      )
      const holds = (await db.raw(`SELECT id, status FROM ledger_hold ORDER BY id`)).rows
      expect(Object.fromEntries(holds.map((h: any) => [h.id, h.status]))).toEqual({
        [openHold.id]: "open",
        [shortHold.id]: "expired",
        [longHold.id]: "open",
      })
      await expectVerified(service)
    })

    it("running it twice is a no-op", async () => {
      const expired = await wallet(30)
      const negative = await service.createAccount({ name: "Negative", currency_code: "usd", credit_limit: 50 })
      await service.redeem(negative.id, 20)
      const other = await wallet(10)
      const expiry = Date.now() + 1000
      await service.hold(other.id, 4, { expires_at: new Date(expiry) })
      await service.updateAccount(expired.id, { end_date: PAST() })
      await service.updateAccount(negative.id, { end_date: PAST() })
      await sleepUntil(expiry + 100)
      const first = await service.closeExpiredAccounts()
      expect(first.closed).toEqual([expired.id])
      expect(first.released_holds).toHaveLength(1)
      const before = await snapshot(db)
      const second = await service.closeExpiredAccounts()
      expect(second).toEqual({
        closed: [],
        skipped_negative: [negative.id],
        released_holds: [],
        kept_for_holds: [],
        lapsed_credit: [],
        expiring_credit: [],
      })
      expect(await snapshot(db)).toEqual(before)
      await expectVerified(service)
    })

    it("two sweeps at once expire each account once", async () => {
      const accounts = []
      for (let i = 0; i < 6; i++) {
        accounts.push(await wallet(10 + i))
      }
      for (const acc of accounts) {
        await service.updateAccount(acc.id, { end_date: PAST() })
      }
      const [a, b, c] = await Promise.all([service.closeExpiredAccounts(), service.closeExpiredAccounts(), service.closeExpiredAccounts()])
      expect([...a.closed, ...b.closed, ...c.closed].sort()).toEqual(accounts.map((x) => x.id).sort())
      expect(await countRows(db, "ledger_transfer", "kind = 'expiry'")).toBe(6)
      expect(Number((await service.getAccount(LAPSED)).balance)).toBe(10 + 11 + 12 + 13 + 14 + 15)
      await expectVerified(service)
    })
  })
})

ledgerModuleSuite(
  "money-rules-limits",
  ({ service, db }) => {
    it("amount_too_low and amount_too_high on loads, writing nothing", async () => {
      const acc = await service.createAccount({ name: "W", currency_code: "usd", initial_amount: 10 })
      await expectRejectedCleanly(db, () => service.topUp(acc.id, "9.99"), "amount_too_low")
      await expectRejectedCleanly(db, () => service.createAccount({ name: "X", currency_code: "usd", initial_amount: 1 }), "amount_too_low")
      await expectRejectedCleanly(db, () => service.topUp(acc.id, "190.01"), "amount_too_high")
      await expectRejectedCleanly(db, () => service.createAccount({ name: "X", currency_code: "usd", initial_amount: "200.01" }), "amount_too_high")
      await expectRejectedCleanly(db, () => service.topUp(acc.id, 200, { source_id: "@bank" }), "amount_too_high")
      expect(Number((await service.topUp(acc.id, 190)).destination_balance)).toBe(200)
      await expectVerified(service)
    })
  },
  { currencies: ["usd"], minLoadAmount: 10, maxAccountBalance: 200 }
)
