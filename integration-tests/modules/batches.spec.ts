import { TYPE_CODES, typeId } from "../../src/modules/ledger/core"
import { runImport } from "../../src/workflows/imports/run-import"
import type { ImportItem } from "../../src/workflows/imports/types"
import { ledgerModuleSuite, expectCode } from "../support/ledger-runner"
import { countRows, dbBalance, expectVerified, snapshot } from "../support/ledger-helpers"

jest.setTimeout(120000)

const SALES = "acc_sys_usd_redemptions"
const BANK = "acc_sys_usd_bank"
const GIFT_CARD = typeId(TYPE_CODES.giftCards)

/**
 * postBatch and createAccounts (issue 11): one database call for many items, each with
 * the rules of its single method; independent and atomic modes; idempotent replays.
 */
ledgerModuleSuite("batches", ({ service, db, events }) => {
  const wallet = (initial: number | string = 100, extra: Record<string, unknown> = {}) =>
    service.createAccount({ name: "Wallet", currency_code: "usd", initial_amount: initial || undefined, ...extra } as any)
  /** The account's balance as the ledger shows it, and the sum of its entries equal to it. */
  const expectMoney = async (id: string, balance: string) => {
    expect((await service.getAccount(id)).balance).toBe(balance)
    if (!id.startsWith("acc_sys_")) {
      expect(Number((await dbBalance(db, id)).entries)).toBe(Number(balance))
    }
  }
  const spend = (from: string, amount: string | number, extra: Record<string, unknown> = {}) => ({
    source_account_id: from,
    destination_account_id: "@redemptions",
    amount,
    kind: "redemption" as const,
    ...extra,
  })

  describe("postBatch, independent", () => {
    it("posts each item on its own: the refused ones write nothing and say why, in order", async () => {
      const a = await wallet(100)
      const b = await wallet(5)
      const frozen = await wallet(50)
      await service.freezeAccount(frozen.id)
      events.clear()
      const result = await service.postBatch([
        spend(a.id, 10, { description: "first", merchant_reference: "ord_1", metadata: { n: 1 } }),
        spend(b.id, 6),
        spend(a.id, "1.234"),
        spend("acc_missing", 1),
        spend(frozen.id, 1),
        { source_account_id: "@bank", destination_account_id: b.id, amount: 20, kind: "load" as const },
        spend(b.id, 6),
        spend(a.id, 0),
        { source_account_id: a.id, destination_account_id: a.id, amount: 1 },
      ])
      expect(result.results.map((r) => (r.ok ? "ok" : r.error.code))).toEqual([
        "ok",
        "insufficient_funds",
        "invalid_amount",
        "not_found",
        "account_frozen",
        "ok",
        "ok",
        "invalid_amount",
        "same_account",
      ])
      expect(result.results.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8])
      expect(result).toMatchObject({ mode: "independent", ok: false, failed_index: null, counts: { ok: 3, failed: 6, replayed: 0 } })
      const first = result.results[0] as any
      expect(first.transfer).toMatchObject({ kind: "redemption", amount: "10.00", description: "first", merchant_reference: "ord_1", metadata: { n: 1 }, source_balance: "90.00" })
      // b: the load (20) came before the second spend, which saw it
      expect((result.results[6] as any).transfer.source_balance).toBe("19.00")
      await expectMoney(a.id, "90.00")
      await expectMoney(b.id, "19.00")
      expect(await countRows(db, "ledger_transfer", "kind = 'redemption'")).toBe(2)
      expect(events.named("ledger.transfer.created")).toHaveLength(3)
      await expectVerified(service)
    })

    it("items on one account see each other in order: no overspend within a batch", async () => {
      const a = await wallet(55)
      const result = await service.postBatch(Array.from({ length: 10 }, () => spend(a.id, 10)))
      expect(result.results.map((r) => r.ok)).toEqual([true, true, true, true, true, false, false, false, false, false])
      await expectMoney(a.id, "5.00")
      await expectVerified(service)
    })

    it("a retried batch replays: the batch key names each item, nothing moves twice", async () => {
      const a = await wallet(100)
      const b = await wallet(100)
      const items = [spend(a.id, 10), spend(b.id, 20), spend(a.id, 1000), spend(b.id, 5, { idempotency_key: "own-key" })]
      const first = await service.postBatch(items, { idempotency_key: "batch-1" })
      expect(first.counts).toEqual({ ok: 3, failed: 1, replayed: 0 })
      const before = await snapshot(db)
      events.clear()
      const again = await service.postBatch(items, { idempotency_key: "batch-1" })
      expect(again.counts).toEqual({ ok: 3, failed: 1, replayed: 3 })
      expect(again.results.map((r) => (r.ok ? r.transfer.id : r.error.code))).toEqual(
        first.results.map((r) => (r.ok ? r.transfer.id : r.error.code))
      )
      expect((first.results[1] as any).transfer.idempotency_key).toBe("batch-1:1")
      expect((first.results[3] as any).transfer.idempotency_key).toBe("own-key")
      expect(await snapshot(db)).toEqual(before)
      expect(events.messages).toEqual([])
      // the same key with other arguments is refused for that item alone
      const changed = await service.postBatch([spend(a.id, 11), spend(b.id, 20)], { idempotency_key: "batch-1" })
      expect(changed.results.map((r) => (r.ok ? (r.replayed ? "replayed" : "ok") : r.error.code))).toEqual(["idempotency_conflict", "replayed"])
      await expectVerified(service)
    })

    it("refuses an empty batch, one over 1000 items and an unknown mode, writing nothing", async () => {
      const a = await wallet(100)
      await expectCode(service.postBatch([]), "invalid_request")
      await expectCode(service.postBatch(Array.from({ length: 1001 }, () => spend(a.id, 1))), "invalid_request")
      await expectCode(service.postBatch([spend(a.id, 1)], { mode: "some" as any }), "invalid_request")
      expect(await countRows(db, "ledger_transfer", "kind = 'redemption'")).toBe(0)
    })

    it("1000 postings in one call", async () => {
      const ws = await Promise.all(Array.from({ length: 10 }, () => wallet(1000)))
      const result = await service.postBatch(Array.from({ length: 1000 }, (_, i) => spend(ws[i % 10].id, "0.50")))
      expect(result.counts).toEqual({ ok: 1000, failed: 0, replayed: 0 })
      for (const w of ws) {
        await expectMoney(w.id, "950.00")
      }
      await expectVerified(service)
    })
  })

  describe("core accounts in a batch", () => {
    it("a refused item takes back what it added to a core account; a posting after the batch in the same transaction is its own", async () => {
      await service.freezeAccount(SALES)
      const result = await service.postBatch([
        { source_account_id: BANK, destination_account_id: SALES, amount: 5 },
        { source_account_id: BANK, destination_account_id: "acc_sys_usd_unpaid_source", amount: 7 },
      ])
      expect(result.results.map((r) => (r.ok ? "ok" : r.error.code))).toEqual(["account_frozen", "ok"])
      await service.thawAccount(SALES)
      await expectMoney(BANK, "-7.00")
      const a = await wallet(100)
      const trx = await db.transaction()
      const items = JSON.stringify([{ id: "ltr_in_batch", reference: "INBATCH000000001", kind: "redemption", source: a.id, destination: "@redemptions", amount: "3", source_entry_id: "lent_b1", destination_entry_id: "lent_b2" }])
      await trx.raw(`SELECT * FROM ledger_post_many(?::jsonb, false)`, [items])
      await trx.raw(`SELECT * FROM ledger_post('ltr_after', 'AFTERBATCH000001', 'redemption', ?, '@redemptions', 4, NULL, NULL, NULL, NULL, 'system', NULL, NULL, NULL, 'lent_a1', 'lent_a2', NULL)`, [a.id])
      expect((await trx.raw(`SELECT current_setting('ledger.shard', true) AS s, current_setting('ledger.pending', true) AS p`)).rows[0]).toEqual({ s: "", p: "" })
      await trx.commit()
      await expectMoney(SALES, "7.00")
      await expectVerified(service)
    })
  })

  describe("the set path", () => {
    // ledger_post_many straight, on a transaction of the test's: `itemByItem` turns the set path off.
    const postMany = async (items: unknown[], itemByItem: boolean) => {
      const trx = await db.transaction()
      if (itemByItem) await trx.raw(`SET LOCAL ledger.set_path = 'off'`)
      const { rows } = await trx.raw(`SELECT * FROM ledger_post_many(?::jsonb, false)`, [JSON.stringify(items)])
      await trx.commit()
      return rows
    }
    let n = 0
    const item = (source: string, destination: string, amount: string, kind = "transfer") => {
      n++
      return { id: `ltr_set_${n}`, reference: `SETPATH${String(n).padStart(9, "0")}`, kind, source, destination, amount, actor_type: "system", source_entry_id: `lent_s${n}`, destination_entry_id: `lent_d${n}` }
    }

    it("writes what item by item writes, when every item passes (random batches)", async () => {
      const twins = await Promise.all(Array.from({ length: 6 }, () => Promise.all([wallet(50), wallet(50)])))
      let seed = 7
      const rand = (k: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % k
      for (let round = 0; round < 8; round++) {
        const plan = Array.from({ length: 1 + rand(40) }, () => {
          const [a, b] = [rand(6), rand(7)]
          const amount = `${1 + rand(3)}.${rand(10)}0`
          return b === 6 ? { kind: "redemption", from: a, to: -1, amount } : { kind: "transfer", from: a, to: b === a ? (a + 1) % 6 : b, amount }
        })
        const build = (side: 0 | 1) =>
          plan.map((p) => item(twins[p.from][side].id, p.to < 0 ? "@redemptions" : twins[p.to][side].id, p.amount, p.kind))
        const viaSet = await postMany(build(0), false)
        const viaItems = await postMany(build(1), true)
        const shape = (rows: any[]) => rows.map((r) => [r.idx, r.error_hint ?? "ok", r.source_balance === null ? null : Number(r.source_balance), r.destination_balance === null ? null : Number(r.destination_balance)])
        expect(shape(viaSet)).toEqual(shape(viaItems))
      }
      for (const [a, b] of twins) {
        expect((await service.getAccount(a.id)).balance).toBe((await service.getAccount(b.id)).balance)
      }
      // the set path did run: its transfers share one posting time
      const { rows } = await db.raw(`SELECT count(DISTINCT created_at)::int AS n, count(*)::int AS c FROM ledger_transfer WHERE id LIKE 'ltr_set_%' AND source_id = ANY(?)`, [twins.map((t) => t[0].id)])
      expect(rows[0].n).toBeLessThan(rows[0].c)
      await expectVerified(service)
    })

    it("gives way to item by item for a refund, a used key, an unknown account or a refusal", async () => {
      const a = await wallet(20)
      const spent = await service.redeem(a.id, 5, { idempotency_key: "used-key" })
      const cases: [string, unknown[], string[]][] = [
        ["refund", [item(a.id, "@redemptions", "1", "redemption"), { ...item("x", "y", "1", "refund"), source: null, destination: null, parent: spent.id, kind: "refund" }], ["ok", "ok"]],
        ["used key", [item(a.id, "@redemptions", "1", "redemption"), { ...item(a.id, "@redemptions", "5", "redemption"), idempotency_key: "used-key" }], ["ok", "ok"]],
        ["unknown account", [item(a.id, "@redemptions", "1", "redemption"), item("acc_nowhere", "@redemptions", "1", "redemption")], ["ok", "not_found"]],
        ["refusal", [item(a.id, "@redemptions", "1", "redemption"), item(a.id, "@redemptions", "100", "redemption")], ["ok", "insufficient_funds"]],
      ]
      for (const [name, items, expected] of cases) {
        const rows = await postMany(items, false)
        expect([name, rows.map((r: any) => r.error_hint ?? "ok")]).toEqual([name, expected])
      }
      await expectVerified(service)
    })
  })

  describe("postBatch, atomic", () => {
    it("a refusal in the database undoes the items before it and names the item", async () => {
      const a = await wallet(100)
      const b = await wallet(5)
      const before = await snapshot(db)
      events.clear()
      const result = await service.postBatch([spend(a.id, 10), spend(a.id, 20), spend(b.id, 6), spend(a.id, 1)], { mode: "atomic" })
      expect(result).toMatchObject({ mode: "atomic", ok: false, failed_index: 2, counts: { ok: 0, failed: 4 } })
      expect(result.results.map((r) => (r.ok ? "ok" : r.error.code))).toEqual(["not_posted", "not_posted", "insufficient_funds", "not_posted"])
      expect(await snapshot(db)).toEqual(before)
      expect(events.messages).toEqual([])
    })

    it("an item refused before the database fails the batch without a call", async () => {
      const a = await wallet(100)
      const before = await snapshot(db)
      const result = await service.postBatch([spend(a.id, 10), spend("@nowhere", 1)], { mode: "atomic" })
      expect(result.failed_index).toBe(1)
      expect(result.results[1]).toMatchObject({ ok: false, error: { code: "invalid_request" } })
      expect(await snapshot(db)).toEqual(before)
    })

    it("posts all when all pass, and a retry replays", async () => {
      const a = await wallet(100)
      const items = [spend(a.id, 10), spend(a.id, 20), { source_account_id: "@bank", destination_account_id: a.id, amount: 5, kind: "load" as const }]
      const result = await service.postBatch(items, { mode: "atomic", idempotency_key: "atomic-1" })
      expect(result).toMatchObject({ ok: true, failed_index: null, counts: { ok: 3, failed: 0, replayed: 0 } })
      await expectMoney(a.id, "75.00")
      const again = await service.postBatch(items, { mode: "atomic", idempotency_key: "atomic-1" })
      expect(again.counts).toEqual({ ok: 3, failed: 0, replayed: 3 })
      await expectMoney(a.id, "75.00")
      await expectVerified(service)
    })
  })

  describe("checkBatch", () => {
    it("answers as postBatch would and writes nothing", async () => {
      const a = await wallet(15)
      const before = await snapshot(db)
      events.clear()
      const result = await service.checkBatch([spend(a.id, 10), spend(a.id, 10)])
      expect(result.results.map((r) => (r.ok ? "ok" : r.error.code))).toEqual(["ok", "insufficient_funds"])
      expect(await snapshot(db)).toEqual(before)
      expect(events.messages).toEqual([])
    })
  })

  describe("batches racing", () => {
    it("8 batches of 100 and single postings on 20 shared accounts at once: no deadlock, no overspend", async () => {
      const ws = await Promise.all(Array.from({ length: 20 }, () => wallet(50)))
      const batches = Array.from({ length: 8 }, (_, b) =>
        service.postBatch(Array.from({ length: 100 }, (_, i) => spend(ws[(b * 7 + i * 3) % 20].id, 1)))
      )
      const singles = Array.from({ length: 40 }, (_, i) => service.redeem(ws[i % 20].id, 1).then(() => "ok", (e) => e.code))
      const results = await Promise.all(batches)
      const singleCodes = await Promise.all(singles)
      const posted = results.reduce((n, r) => n + r.counts.ok, 0) + singleCodes.filter((c) => c === "ok").length
      const refused = results.flatMap((r) => r.results.filter((x) => !x.ok).map((x: any) => x.error.code))
      expect(new Set([...refused, ...singleCodes.filter((c) => c !== "ok")])).toEqual(new Set(refused.length ? ["insufficient_funds"] : []))
      // 20 × 50 = 1000 of money, 840 asked for: all posted
      expect(posted).toBe(840)
      const { rows } = await db.raw(`SELECT coalesce(sum(ledger_balance(id)), 0)::text AS total FROM ledger_account WHERE id = ANY(?)`, [ws.map((w) => w.id)])
      expect(Number(rows[0].total)).toBe(160)
      await expectMoney(SALES, "840.00")
      await expectVerified(service)
    })

    it("when money runs out under racing batches, exactly what there was is spent", async () => {
      const ws = await Promise.all(Array.from({ length: 4 }, () => wallet(10)))
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, b) => service.postBatch(Array.from({ length: 20 }, (_, i) => spend(ws[(b + i) % 4].id, 1))))
      )
      expect(results.reduce((n, r) => n + r.counts.ok, 0)).toBe(40)
      for (const w of ws) {
        await expectMoney(w.id, "0.00")
      }
      await expectVerified(service)
    })
  })

  describe("createAccounts", () => {
    const card = (extra: Record<string, unknown> = {}) => ({
      name: "Gift card",
      currency_code: "usd",
      type_id: GIFT_CARD,
      generate_code: true,
      initial_amount: 25,
      source_account_id: "@bank",
      ...extra,
    })

    it("creates gift cards with codes and initial loads from the bank, each with its event", async () => {
      events.clear()
      const end = new Date(Date.now() + 86400_000 * 365)
      const result = await service.createAccounts(Array.from({ length: 50 }, () => card({ end_date: end })))
      expect(result.counts).toEqual({ ok: 50, failed: 0, replayed: 0 })
      const codes = result.results.map((r: any) => r.account.code)
      expect(new Set(codes).size).toBe(50)
      for (const r of result.results as any[]) {
        expect(r.account).toMatchObject({ balance: "25.00", currency_code: "usd", status: "open" })
        expect(new Date(r.account.end_date).getTime()).toBe(end.getTime())
      }
      expect((await service.getAccountByCode(codes[7])).id).toBe((result.results[7] as any).account.id)
      await expectMoney(BANK, "-1250.00")
      expect(events.named("ledger.account.created")).toHaveLength(50)
      await expectVerified(service)
    })

    it("refuses bad items alone (independent) and writes nothing for them", async () => {
      const taken = await wallet(0, { code: "TAKEN-CODE-0001" })
      const result = await service.createAccounts([
        card(),
        card({ name: " " }),
        card({ initial_amount: -1 }),
        { name: "Wallet", currency_code: "usd", code: "TAKEN-CODE-0001" },
        card({ currency_code: "zz" }),
        { name: "Wallet", currency_code: "usd", customer_id: "cus_1", initial_amount: 10 },
      ] as any)
      expect(result.results.map((r) => (r.ok ? "ok" : r.error.code))).toEqual([
        "ok",
        "invalid_request",
        "invalid_amount",
        "code_taken",
        "invalid_currency",
        "ok",
      ])
      expect(await countRows(db, "ledger_account", "role IS NULL")).toBe(3)
      expect(taken.code).toBe("TAKEN-CODE-0001".replace(/-/g, ""))
      await expectVerified(service)
    })

    it("atomic: one refused item (a code already taken) writes no account and no load", async () => {
      await wallet(0, { code: "ONLY-ONE" })
      const before = await snapshot(db)
      events.clear()
      const result = await service.createAccounts([card(), card(), { name: "Card", currency_code: "usd", code: "only one", initial_amount: 5 }, card()], { mode: "atomic" })
      expect(result).toMatchObject({ ok: false, failed_index: 2 })
      expect(result.results[2]).toMatchObject({ ok: false, error: { code: "code_taken" } })
      expect(await snapshot(db)).toEqual(before)
      expect(events.messages).toEqual([])
    })

    it("a retried batch replays its accounts; other arguments under a used key are refused", async () => {
      const items = Array.from({ length: 5 }, (_, i) => card({ code: `REPLAY-${i}`, generate_code: false }))
      const first = await service.createAccounts(items, { idempotency_key: "cards-1" })
      expect(first.counts.ok).toBe(5)
      const before = await snapshot(db)
      events.clear()
      const again = await service.createAccounts(items, { idempotency_key: "cards-1" })
      expect(again.counts).toEqual({ ok: 5, failed: 0, replayed: 5 })
      expect(again.results.map((r: any) => r.account.id)).toEqual(first.results.map((r: any) => r.account.id))
      expect(await snapshot(db)).toEqual(before)
      expect(events.messages).toEqual([])
      const changed = await service.createAccounts([card({ code: "REPLAY-0", generate_code: false, initial_amount: 26 })], { idempotency_key: "cards-1" })
      expect(changed.results[0]).toMatchObject({ ok: false, error: { code: "idempotency_conflict" } })
      // a key used by a single createAccount replays in a batch too
      const single = await service.createAccount({ name: "Wallet", currency_code: "usd", initial_amount: 10 }, { idempotency_key: "one-key" })
      const batch = await service.createAccounts([{ name: "Wallet", currency_code: "usd", initial_amount: "10.00", idempotency_key: "one-key" }])
      expect(batch.results[0]).toMatchObject({ ok: true, replayed: true, account: { id: single.id } })
      await expectVerified(service)
    })

    it("a retried batch of cards with generated codes replays them (a retry draws other codes)", async () => {
      const first = await service.createAccounts([card(), card()], { idempotency_key: "generated-1" })
      const again = await service.createAccounts([card(), card()], { idempotency_key: "generated-1" })
      expect(again.counts).toEqual({ ok: 2, failed: 0, replayed: 2 })
      expect(again.results.map((r: any) => r.account.code)).toEqual(first.results.map((r: any) => r.account.code))
    })

    it("checkAccounts answers and writes nothing", async () => {
      const before = await snapshot(db)
      const result = await service.checkAccounts([card(), card({ initial_amount: "abc" })])
      expect(result.results.map((r) => (r.ok ? "ok" : r.error.code))).toEqual(["ok", "invalid_amount"])
      expect(await snapshot(db)).toEqual(before)
    })

    it("createAccountsAtomically: batches written in one transaction; a refusal in a later batch rolls back the earlier ones", async () => {
      const before = await snapshot(db)
      events.clear()
      // each batch passes alone; the code is used in both, so the second is refused when written
      const first = [...Array.from({ length: 999 }, () => card()), card({ code: "TWICE-IN-FILE", generate_code: false })]
      const second = [card(), card({ code: "twice in file", generate_code: false })]
      expect((await service.checkAccounts(first, { mode: "atomic" })).ok).toBe(true)
      expect((await service.checkAccounts(second, { mode: "atomic" })).ok).toBe(true)
      const results = await service.createAccountsAtomically([first, second])
      expect(results.map((r) => [r.ok, r.failed_index, r.counts.ok])).toEqual([[false, null, 0], [false, 1, 0]])
      expect(results[1].results[1]).toMatchObject({ ok: false, error: { code: "code_taken" } })
      expect(results[0].results.every((r) => !r.ok && r.error.code === "not_posted")).toBe(true)
      expect(await snapshot(db)).toEqual(before)
      await new Promise((r) => setTimeout(r, 100))
      expect(events.messages).toEqual([])

      second[1] = card()
      const written = await service.createAccountsAtomically([first, second])
      expect(written.map((r) => r.counts)).toEqual([{ ok: 1000, failed: 0, replayed: 0 }, { ok: 2, failed: 0, replayed: 0 }])
      await expectMoney(BANK, "-25050.00")
      // the events go out once the one transaction has committed
      await new Promise((r) => setTimeout(r, 100))
      expect(events.named("ledger.account.created")).toHaveLength(1002)
      await expect(service.createAccountsAtomically([])).rejects.toMatchObject({ code: "invalid_request" })
      await expectVerified(service)
    })

    it("an atomic import of more than one batch refused when written (a code twice, in two batches) writes nothing", async () => {
      const item = (i: number, code: string): ImportItem => ({
        ref: `line ${i + 2}`,
        line: i + 2,
        kind: "gift_card",
        currency_code: "usd",
        balance: "1",
        input: { ...card({ code, generate_code: false, initial_amount: "1" }), idempotency_key: `import-twice:${i}` } as any,
      })
      const items = Array.from({ length: 1200 }, (_, i) => item(i, i === 1100 ? "IMPORT-5" : `IMPORT-${i}`))
      const before = await snapshot(db)
      const report = await runImport(service as any, { source: "csv", items, dry_run: false, mode: "atomic" })
      expect(report).toMatchObject({ ok: false, rolled_back: true, counts: { read: 1200, created: 0, failed: 1, not_posted: 1199 } })
      expect(report.errors).toEqual([expect.objectContaining({ line: 1102, code: "code_taken" })])
      expect(await snapshot(db)).toEqual(before)
    })

    it("1000 cards in one call", async () => {
      const result = await service.createAccounts(Array.from({ length: 1000 }, () => card()))
      expect(result.counts.ok).toBe(1000)
      expect(await countRows(db, "ledger_account", "type_id = ?", [GIFT_CARD])).toBe(1000)
      // by the set path: one insert, loads posted together (one posting time)
      const { rows } = await db.raw(`SELECT count(DISTINCT created_at)::int AS n FROM ledger_transfer WHERE kind = 'load' AND source_id = ?`, [BANK])
      expect(rows[0].n).toBe(1)
      await expectVerified(service)
    })
  })
})
