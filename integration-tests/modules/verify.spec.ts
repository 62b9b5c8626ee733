import { seedScaleLedger } from "../../bench/scale-seed"
import { VERIFY_LIMIT } from "../../src/modules/ledger/verify"
import { LOT_CHECKS } from "../../src/modules/ledger/verify-lots"
import { expectVerified } from "../support/ledger-helpers"
import { ledgerModuleSuite } from "../support/ledger-runner"

jest.setTimeout(180000)

/**
 * verify() on a seeded ledger with history (bench/scale-seed.ts), tampered in every way a
 * check exists for. Each check must fire, and every check must list exactly the rows the
 * plain statement of its invariant lists (REFERENCE below: the checks as they were written
 * before verify was made fast at scale), on the clean ledger and after each tampering.
 */
const REFERENCE: Record<string, string> = {
  transfers_sum_to_zero: `SELECT t.id, t.reference, coalesce(sum(e.amount), 0)::text AS sum
      FROM ledger_transfer t LEFT JOIN ledger_entry e ON e.transfer_id = t.id
     GROUP BY t.id HAVING coalesce(sum(e.amount), 0) <> 0`,
  ledger_sums_to_zero_per_currency: `SELECT t.currency_code, sum(e.amount)::text AS sum
      FROM ledger_entry e JOIN ledger_transfer t ON t.id = e.transfer_id
     GROUP BY t.currency_code HAVING sum(e.amount) <> 0`,
  two_entries_per_transfer: `SELECT t.id, t.reference, count(e.id) AS entries
      FROM ledger_transfer t
      LEFT JOIN ledger_entry e ON e.transfer_id = t.id
      LEFT JOIN ledger_account a ON a.id = e.account_id
     GROUP BY t.id
    HAVING count(e.id) <> 2
        OR t.source_id = t.destination_id
        OR count(*) FILTER (WHERE e.account_id = t.source_id AND e.amount = -t.amount
                             AND a.currency_code = t.currency_code) <> 1
        OR count(*) FILTER (WHERE e.account_id = t.destination_id AND e.amount = t.amount
                             AND a.currency_code = t.currency_code) <> 1`,
  entries_reference_accounts: `SELECT e.id, e.account_id FROM ledger_entry e
      LEFT JOIN ledger_account a ON a.id = e.account_id WHERE a.id IS NULL`,
  cached_balance_matches_entries: `SELECT a.id, trim_scale(a.balance + coalesce(sh.sum, 0))::text AS balance,
           trim_scale(coalesce(s.sum, 0))::text AS entries_sum, a.raw_balance->>'value' AS raw_balance
      FROM ledger_account a
      LEFT JOIN (SELECT account_id, sum(amount) AS sum FROM ledger_entry GROUP BY account_id) s ON s.account_id = a.id
      LEFT JOIN (SELECT account_id, sum(balance) AS sum FROM ledger_balance_shard GROUP BY account_id) sh ON sh.account_id = a.id
     WHERE a.balance + coalesce(sh.sum, 0) <> coalesce(s.sum, 0)
        OR (a.raw_balance->>'value')::numeric <> a.balance
        OR (sh.sum IS NOT NULL AND a.role IS NULL)`,
  balance_shards_mirror_accounts: `SELECT x.account_id, x.shard, x.status, x.currency_code, a.status AS account_status, a.role
      FROM ledger_balance_shard x JOIN ledger_account a ON a.id = x.account_id
     WHERE a.role IS NULL OR x.status <> a.status OR x.currency_code <> a.currency_code`,
  cached_held_matches_holds: `SELECT a.id, a.held::text AS held, coalesce(s.sum, 0)::text AS open_holds
      FROM ledger_account a
      LEFT JOIN (SELECT account_id, sum(amount) AS sum FROM ledger_hold WHERE status = 'open' GROUP BY account_id) s
        ON s.account_id = a.id
     WHERE a.held <> coalesce(s.sum, 0)`,
  statement_running_balances: `SELECT id, account_id, balance_after::text, running::text FROM (
       SELECT e.id, e.account_id, e.balance_after,
              sum(e.amount) OVER (PARTITION BY e.account_id ORDER BY e.seq) AS running
         FROM ledger_entry e) x
     WHERE running <> balance_after
        OR (balance_after IS NULL) <> (left(account_id, 8) = 'acc_sys_')`,
  credit_limits_respected: `SELECT id, ledger_balance(id)::text AS balance, held::text, credit_limit::text FROM ledger_account
     WHERE credit_limit IS NOT NULL AND ledger_balance(id) - held < -credit_limit`,
  transfers_append_only: `SELECT r.name AS trigger, coalesce(t.tgenabled::text, 'missing') AS state
      FROM (VALUES ('ledger_transfer_immutable'), ('ledger_transfer_no_truncate'),
                   ('ledger_entry_immutable'), ('ledger_entry_no_truncate'),
                   ('ledger_lot_move_immutable')) r(name)
      LEFT JOIN pg_trigger t ON t.tgname = r.name
     WHERE t.tgname IS NULL OR t.tgenabled = 'D'`,
  reversed_at_most_once: `SELECT p.id, p.reference, p.amount::text,
           count(*) FILTER (WHERE c.kind = 'reversal') AS reversals, sum(c.amount)::text AS refunded
      FROM ledger_transfer p JOIN ledger_transfer c ON c.parent_id = p.id
     WHERE c.kind IN ('refund', 'reversal')
     GROUP BY p.id
    HAVING count(*) FILTER (WHERE c.kind = 'reversal') > 1
        OR sum(c.amount) > p.amount
        OR bool_or(c.source_id <> p.destination_id OR c.destination_id <> p.source_id)`,
  idempotency_keys_unique: `SELECT idempotency_key, count(*) AS transfers FROM ledger_transfer
     WHERE idempotency_key IS NOT NULL GROUP BY idempotency_key HAVING count(*) > 1`,
  closed_accounts_empty: `SELECT a.id, a.balance::text, a.held::text, a.closed_at FROM ledger_account a
     WHERE a.status = 'closed'
       AND (a.balance <> 0 OR a.held <> 0 OR a.closed_at IS NULL
            OR EXISTS (SELECT 1 FROM ledger_entry e WHERE e.account_id = a.id AND e.created_at > a.closed_at))`,
  holds_consistent: `SELECT h.id, h.status, h.amount::text, h.captured_amount::text, h.transfer_id
      FROM ledger_hold h LEFT JOIN ledger_transfer t ON t.id = h.transfer_id
     WHERE (h.status = 'captured' AND (t.id IS NULL OR t.amount <> h.captured_amount
              OR t.source_id <> h.account_id OR t.amount > h.amount))
        OR (h.status <> 'captured' AND (h.captured_amount <> 0 OR h.transfer_id IS NOT NULL))`,
  // The lot checks are plain statements already (no screen); lots.spec tampers with each.
  ...Object.fromEntries(LOT_CHECKS.map((c) => [c.name, c.sql])),
}

const REFERENCE_TRIAL_BALANCE = `
  SELECT currency_code, count(*)::int AS accounts,
         trim_scale(coalesce(sum(balance) FILTER (WHERE balance < 0), 0))::text AS debit,
         trim_scale(coalesce(sum(balance) FILTER (WHERE balance > 0), 0))::text AS credit,
         trim_scale(sum(balance))::text AS net
    FROM (SELECT currency_code, ledger_balance(id) AS balance FROM ledger_account) a
   GROUP BY currency_code ORDER BY currency_code`

const SALES = "acc_sys_usd_redemptions"

ledgerModuleSuite("verify", ({ service, db }) => {
  const sql = async (text: string, bindings: unknown[] = []) => (await db.raw(text, bindings as any)).rows as any[]
  const one = async (text: string, bindings: unknown[] = []) => (await sql(text, bindings))[0]
  const sorted = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).sort()

  async function seed() {
    const result = await seedScaleLedger(db, { accounts: 400, entries: 4000 })
    expect(result.entries).toBe(4000)
    return result
  }

  /**
   * Runs verify() and the reference statements; every check lists what its reference lists.
   * Returns the names of the failing checks.
   */
  async function verifyAgainstReference() {
    const result = await service.verify()
    expect(result.checks.map((c) => c.name)).toEqual(Object.keys(REFERENCE))
    for (const check of result.checks) {
      const reference = await sql(REFERENCE[check.name])
      expect({ name: check.name, count: check.count }).toEqual({ name: check.name, count: reference.length })
      if (reference.length <= VERIFY_LIMIT) {
        expect({ name: check.name, rows: sorted(check.offending) }).toEqual({ name: check.name, rows: sorted(reference) })
      } else {
        const all = new Set(sorted(reference))
        expect(check.offending).toHaveLength(VERIFY_LIMIT)
        expect(sorted(check.offending).filter((r) => !all.has(r))).toEqual([])
      }
      expect(check.ok).toBe(reference.length === 0)
    }
    expect(result.trial_balance).toEqual(await sql(REFERENCE_TRIAL_BALANCE))
    return result.checks.filter((c) => !c.ok).map((c) => c.name)
  }

  /** An open usd wallet with at least three entries and money on it. */
  async function busyWallet() {
    return one(
      `SELECT a.id, a.balance::text FROM ledger_account a
        WHERE a.role IS NULL AND a.status = 'open' AND a.currency_code = 'usd' AND a.balance > 10
          AND (SELECT count(*) FROM ledger_entry e WHERE e.account_id = a.id) >= 3
        ORDER BY a.id LIMIT 1`
    )
  }

  async function lastBalance(accountId: string) {
    return (await one(`SELECT balance_after::text FROM ledger_entry WHERE account_id = ? ORDER BY seq DESC LIMIT 1`, [accountId]))
      .balance_after as string
  }

  let n = 0
  async function insertTransfer(t: {
    source: string
    destination: string
    amount: string
    kind?: string
    parent_id?: string | null
    currency?: string
    idempotency_key?: string | null
  }) {
    const id = `ltr_tamper_${++n}`
    await sql(
      `INSERT INTO ledger_transfer (id, reference, kind, source_id, destination_id, amount, raw_amount, currency_code, parent_id, idempotency_key)
       VALUES (?, ?, ?, ?, ?, ?::numeric, ledger_raw(?::numeric), ?, ?, ?)`,
      [id, `TAMPER${n}`, t.kind ?? "transfer", t.source, t.destination, t.amount, t.amount, t.currency ?? "usd", t.parent_id ?? null, t.idempotency_key ?? null]
    )
    return id
  }

  async function insertEntry(e: {
    transfer_id: string
    account_id: string
    amount: string
    balance_after?: string | null
    seq?: string | null
    created_at?: string | null
    deleted_at?: string | null
  }) {
    await sql(
      `INSERT INTO ledger_entry (id, transfer_id, account_id, amount, raw_amount, balance_after, raw_balance_after, seq, created_at, deleted_at)
       VALUES (?, ?, ?, ?::numeric, ledger_raw(?::numeric), ?::numeric, CASE WHEN ?::numeric IS NULL THEN NULL ELSE ledger_raw(?::numeric) END,
               coalesce(?::bigint, nextval('ledger_entry_seq_seq')), coalesce(?::timestamptz, clock_timestamp()), ?::timestamptz)`,
      [
        `lent_tamper_${++n}`,
        e.transfer_id,
        e.account_id,
        e.amount,
        e.amount,
        e.balance_after ?? null,
        e.balance_after ?? null,
        e.balance_after ?? null,
        e.seq ?? null,
        e.created_at ?? null,
        e.deleted_at ?? null,
      ]
    )
  }

  /** Runs SQL the immutability triggers would refuse. */
  async function bypassingGuards(statements: string[]) {
    await sql(`ALTER TABLE ledger_entry DISABLE TRIGGER ledger_entry_immutable`)
    await sql(`ALTER TABLE ledger_transfer DISABLE TRIGGER ledger_transfer_immutable`)
    for (const s of statements) await sql(s)
    await sql(`ALTER TABLE ledger_entry ENABLE TRIGGER ledger_entry_immutable`)
    await sql(`ALTER TABLE ledger_transfer ENABLE TRIGGER ledger_transfer_immutable`)
  }

  it("a seeded ledger with history passes every check, each listing what its plain statement lists", async () => {
    const seeded = await seed()
    const [counts] = await sql(`SELECT (SELECT count(*) FROM ledger_entry)::int AS entries,
                                       (SELECT count(*) FROM ledger_entry WHERE account_id = ?)::int AS sales,
                                       (SELECT count(*) FROM ledger_account WHERE status = 'closed')::int AS closed,
                                       (SELECT count(*) FROM ledger_hold WHERE status = 'open')::int AS open_holds,
                                       (SELECT count(*) FROM ledger_transfer WHERE idempotency_key IS NOT NULL)::int AS keyed,
                                       (SELECT count(DISTINCT kind) FROM ledger_transfer)::int AS kinds`, [SALES])
    expect(counts.entries).toBe(4000)
    expect(counts.sales).toBeGreaterThan(400)
    expect(counts.closed).toBeGreaterThan(0)
    expect(counts.open_holds).toBeGreaterThan(0)
    expect(counts.keyed).toBeGreaterThan(500)
    expect(counts.kinds).toBe(5)
    expect(seeded.samples.codes.length).toBeGreaterThan(0)
    // fresh salts each run
    for (let i = 0; i < 3; i++) {
      expect(await verifyAgainstReference()).toEqual([])
    }
    await expectVerified(service)
    // and the service posts on top of it
    const wallet = await busyWallet()
    await service.redeem(wallet.id, 1)
    await service.transfer("@unpaid_source", wallet.id, 2, { idempotency_key: "after-seed" })
    expect(await verifyAgainstReference()).toEqual([])
  })

  it("an entry that unbalances its transfer", async () => {
    await seed()
    const t = await one(`SELECT * FROM ledger_transfer WHERE kind = 'redemption' AND currency_code = 'usd' ORDER BY id LIMIT 1`)
    await insertEntry({ transfer_id: t.id, account_id: t.source_id, amount: "1.00", balance_after: null })
    for (let i = 0; i < 2; i++) {
      expect(await verifyAgainstReference()).toEqual(
        expect.arrayContaining(["transfers_sum_to_zero", "ledger_sums_to_zero_per_currency", "two_entries_per_transfer", "cached_balance_matches_entries", "statement_running_balances"])
      )
    }
  })

  it("two unbalanced transfers that cancel out within their currency", async () => {
    await seed()
    const [a, b] = await sql(`SELECT * FROM ledger_transfer WHERE kind = 'load' AND currency_code = 'usd' ORDER BY id LIMIT 2`)
    // Same accounts' balances kept in step, so only the transfers are wrong.
    await insertEntry({ transfer_id: a.id, account_id: SALES, amount: "3.5" })
    await insertEntry({ transfer_id: b.id, account_id: SALES, amount: "-3.50" })
    const failing = await verifyAgainstReference()
    expect(failing).toContain("transfers_sum_to_zero")
    expect(failing).toContain("two_entries_per_transfer")
    expect(failing).not.toContain("ledger_sums_to_zero_per_currency")
    expect(failing).not.toContain("cached_balance_matches_entries")
  })

  it("a transfer with a third and fourth entry that still sums to zero", async () => {
    await seed()
    const wallet = await busyWallet()
    const t = await one(`SELECT * FROM ledger_transfer WHERE source_id = ? OR destination_id = ? ORDER BY id LIMIT 1`, [wallet.id, wallet.id])
    const last = await lastBalance(wallet.id)
    await insertEntry({ transfer_id: t.id, account_id: wallet.id, amount: "5", balance_after: String(Number(last) + 5) })
    await insertEntry({ transfer_id: t.id, account_id: wallet.id, amount: "-5", balance_after: last })
    expect(await verifyAgainstReference()).toEqual(["two_entries_per_transfer"])
  })

  it("an entry on the wrong side, a transfer without entries, and one from an account to itself", async () => {
    await seed()
    const wallet = await busyWallet()
    const other = await one(`SELECT id FROM ledger_account WHERE role IS NULL AND currency_code = 'usd' AND id <> ? ORDER BY id LIMIT 1`, [wallet.id])
    // entries swapped: the money went the other way from what the transfer says
    const swapped = await insertTransfer({ source: wallet.id, destination: other.id, amount: "4" })
    await insertEntry({ transfer_id: swapped, account_id: other.id, amount: "-4" })
    await insertEntry({ transfer_id: swapped, account_id: wallet.id, amount: "4" })
    const empty = await insertTransfer({ source: wallet.id, destination: other.id, amount: "1" })
    await sql(`ALTER TABLE ledger_transfer DROP CONSTRAINT ledger_transfer_two_accounts`)
    const self = await insertTransfer({ source: wallet.id, destination: wallet.id, amount: "2" })
    await insertEntry({ transfer_id: self, account_id: wallet.id, amount: "-2" })
    await insertEntry({ transfer_id: self, account_id: wallet.id, amount: "2" })
    const failing = await verifyAgainstReference()
    expect(failing).toContain("two_entries_per_transfer")
    const check = (await service.verify()).checks.find((c) => c.name === "two_entries_per_transfer")!
    expect(check.offending.map((r: any) => r.id).sort()).toEqual(
      [swapped, empty, self].sort()
    )
  })

  it("an account whose currency changed under its transfers", async () => {
    await seed()
    const wallet = await busyWallet()
    await sql(`UPDATE ledger_account SET currency_code = 'eur' WHERE id = ?`, [wallet.id])
    const failing = await verifyAgainstReference()
    expect(failing).toContain("two_entries_per_transfer")
    const transfers = await one(`SELECT count(*)::int AS n FROM ledger_transfer WHERE source_id = ? OR destination_id = ?`, [wallet.id, wallet.id])
    expect((await service.verify()).checks.find((c) => c.name === "two_entries_per_transfer")!.count).toBe(transfers.n)
  })

  it("an entry on an account that does not exist", async () => {
    await seed()
    const t = await insertTransfer({ source: "acc_gone", destination: SALES, amount: "3" })
    await insertEntry({ transfer_id: t, account_id: "acc_gone", amount: "-3", balance_after: "-3" })
    await insertEntry({ transfer_id: t, account_id: SALES, amount: "3" })
    const failing = await verifyAgainstReference()
    expect(failing).toContain("entries_reference_accounts")
    expect(failing).toContain("two_entries_per_transfer")
  })

  it("cached balances: off by a cent, raw value out of step, a drifted shard, a shard on a customer account", async () => {
    await seed()
    const [a, b] = await sql(`SELECT id, balance FROM ledger_account WHERE role IS NULL AND status = 'open' AND balance > 1 ORDER BY id LIMIT 2`)
    await sql(`UPDATE ledger_account SET balance = balance + 0.01, raw_balance = ledger_raw(balance + 0.01) WHERE id = ?`, [a.id])
    expect(await verifyAgainstReference()).toEqual(["cached_balance_matches_entries"])
    await sql(`UPDATE ledger_account SET balance = balance - 0.01, raw_balance = ledger_raw(balance - 0.01) WHERE id = ?`, [a.id])
    await sql(`UPDATE ledger_account SET raw_balance = ledger_raw(balance + 1) WHERE id = ?`, [b.id])
    expect(await verifyAgainstReference()).toEqual(["cached_balance_matches_entries"])
    await sql(`UPDATE ledger_account SET raw_balance = ledger_raw(balance) WHERE id = ?`, [b.id])
    await sql(`UPDATE ledger_balance_shard SET balance = balance + 7 WHERE account_id = ? AND shard = 3`, [SALES])
    expect(await verifyAgainstReference()).toEqual(["cached_balance_matches_entries"])
    await sql(`UPDATE ledger_balance_shard SET balance = balance - 7 WHERE account_id = ? AND shard = 3`, [SALES])
    await sql(`INSERT INTO ledger_balance_shard (account_id, shard, balance, currency_code, status) VALUES (?, 0, 0, 'usd', 'open')`, [a.id])
    expect(await verifyAgainstReference()).toEqual(["cached_balance_matches_entries", "balance_shards_mirror_accounts"])
  })

  it("a cached held amount that is not the sum of the open holds", async () => {
    await seed()
    const a = await one(`SELECT id FROM ledger_account WHERE role IS NULL AND status = 'open' AND held > 0 ORDER BY id LIMIT 1`)
    await sql(`UPDATE ledger_account SET held = held - 0.01 WHERE id = ?`, [a.id])
    expect(await verifyAgainstReference()).toEqual(["cached_held_matches_holds"])
  })

  it("running balances: a wrong one mid-history, a missing one, one on a core account, two entries at one position", async () => {
    await seed()
    const wallet = await busyWallet()
    const [, second] = await sql(`SELECT id, seq FROM ledger_entry WHERE account_id = ? ORDER BY seq LIMIT 2`, [wallet.id])
    await bypassingGuards([`UPDATE ledger_entry SET balance_after = balance_after + 1 WHERE id = '${second.id}'`])
    expect(await verifyAgainstReference()).toEqual(["statement_running_balances"])
    await bypassingGuards([`UPDATE ledger_entry SET balance_after = balance_after - 1 WHERE id = '${second.id}'`])
    expect(await verifyAgainstReference()).toEqual([])

    await bypassingGuards([`UPDATE ledger_entry SET balance_after = NULL WHERE id = '${second.id}'`])
    expect(await verifyAgainstReference()).toEqual(["statement_running_balances"])
    await bypassingGuards([`UPDATE ledger_entry SET balance_after = (raw_balance_after->>'value')::numeric WHERE id = '${second.id}'`])
    expect(await verifyAgainstReference()).toEqual([])

    const sales = await one(`SELECT id FROM ledger_entry WHERE account_id = ? ORDER BY seq LIMIT 1 OFFSET 5`, [SALES])
    await bypassingGuards([`UPDATE ledger_entry SET balance_after = 1 WHERE id = '${sales.id}'`])
    expect(await verifyAgainstReference()).toEqual(["statement_running_balances"])
    await bypassingGuards([`UPDATE ledger_entry SET balance_after = NULL WHERE id = '${sales.id}'`])
    expect(await verifyAgainstReference()).toEqual([])

    // a pair of entries posted at an existing position: the running sum takes both at once
    const t = await one(`SELECT id FROM ledger_transfer WHERE destination_id = ? ORDER BY id LIMIT 1`, [wallet.id])
    await insertEntry({ transfer_id: t.id, account_id: wallet.id, amount: "2", balance_after: "0", seq: second.seq })
    await insertEntry({ transfer_id: t.id, account_id: wallet.id, amount: "-2", balance_after: "0", seq: second.seq })
    const failing = await verifyAgainstReference()
    expect(failing).toContain("statement_running_balances")
  })

  it("a limited core account below its limit across its shards", async () => {
    await seed()
    await sql(`UPDATE ledger_balance_shard SET balance = balance - 1000000000 WHERE account_id = ? AND shard = 5`, [SALES])
    expect(await verifyAgainstReference()).toEqual(["cached_balance_matches_entries", "credit_limits_respected"])
  })

  it("a disabled guard trigger", async () => {
    await seed()
    await sql(`ALTER TABLE ledger_transfer DISABLE TRIGGER ledger_transfer_no_truncate`)
    expect(await verifyAgainstReference()).toEqual(["transfers_append_only"])
  })

  it("the lot move log's guard dropped", async () => {
    await seed()
    await sql(`DROP TRIGGER ledger_lot_move_immutable ON ledger_lot_move`)
    expect(await verifyAgainstReference()).toEqual(["transfers_append_only"])
  })

  it("a second reversal, refunds above the amount, a refund going the wrong way", async () => {
    await seed()
    const [p, q, r] = await sql(`SELECT * FROM ledger_transfer WHERE kind = 'redemption' AND currency_code = 'usd'
                                    AND NOT EXISTS (SELECT 1 FROM ledger_transfer c WHERE c.parent_id = ledger_transfer.id) ORDER BY id LIMIT 3`)
    await sql(`DROP INDEX "IDX_ledger_transfer_one_reversal"`)
    for (let i = 0; i < 2; i++) {
      await insertTransfer({ kind: "reversal", parent_id: p.id, source: p.destination_id, destination: p.source_id, amount: "0.01" })
    }
    await insertTransfer({ kind: "refund", parent_id: q.id, source: q.destination_id, destination: q.source_id, amount: String(Number(q.amount) + 0.01) })
    await insertTransfer({ kind: "refund", parent_id: r.id, source: r.source_id, destination: r.destination_id, amount: "0.01" })
    const failing = await verifyAgainstReference()
    expect(failing).toContain("reversed_at_most_once")
    expect((await service.verify()).checks.find((c) => c.name === "reversed_at_most_once")!.count).toBe(3)
  })

  it("an idempotency key on two transfers", async () => {
    await seed()
    const keyed = await one(`SELECT * FROM ledger_transfer WHERE idempotency_key IS NOT NULL AND kind = 'load'
                                AND destination_id IN (SELECT id FROM ledger_account WHERE status = 'open') ORDER BY id LIMIT 1`)
    await sql(`DROP INDEX "IDX_ledger_transfer_idempotency_key_unique"`)
    const t = await insertTransfer({ source: keyed.source_id, destination: keyed.destination_id, amount: "1", currency: keyed.currency_code, idempotency_key: keyed.idempotency_key })
    await insertEntry({ transfer_id: t, account_id: keyed.source_id, amount: "-1" })
    await insertEntry({ transfer_id: t, account_id: keyed.destination_id, amount: "1", balance_after: String(Number(await lastBalance(keyed.destination_id)) + 1) })
    await sql(`UPDATE ledger_account SET balance = balance + 1, raw_balance = ledger_raw(balance + 1) WHERE id = ?`, [keyed.destination_id])
    await sql(`UPDATE ledger_account SET balance = balance - 1, raw_balance = ledger_raw(balance - 1) WHERE id = ?`, [keyed.source_id])
    expect(await verifyAgainstReference()).toEqual(["idempotency_keys_unique"])
  })

  it("a closed account that moved after closing, and one without a closing time", async () => {
    await seed()
    const [a, b] = await sql(`SELECT id, closed_at FROM ledger_account WHERE status = 'closed' AND currency_code = 'usd' ORDER BY id LIMIT 2`)
    const t = await insertTransfer({ source: a.id, destination: SALES, amount: "1" })
    await insertEntry({ transfer_id: t, account_id: a.id, amount: "-1", balance_after: "-1" })
    await insertEntry({ transfer_id: t, account_id: SALES, amount: "1" })
    const back = await insertTransfer({ source: SALES, destination: a.id, amount: "1" })
    await insertEntry({ transfer_id: back, account_id: SALES, amount: "-1" })
    await insertEntry({ transfer_id: back, account_id: a.id, amount: "1", balance_after: "0" })
    await sql(`UPDATE ledger_account SET closed_at = NULL WHERE id = ?`, [b.id])
    expect(await verifyAgainstReference()).toEqual(["closed_accounts_empty"])
    expect((await service.verify()).checks.find((c) => c.name === "closed_accounts_empty")!.offending.map((r: any) => r.id).sort()).toEqual(
      [a.id, b.id].sort()
    )
  })

  it("holds: a captured amount that is not its transfer's, an open hold pointing at a transfer", async () => {
    await seed()
    const captured = await one(`SELECT * FROM ledger_hold WHERE status = 'captured' ORDER BY id LIMIT 1`)
    const open = await one(`SELECT * FROM ledger_hold WHERE status = 'open' ORDER BY id LIMIT 1`)
    await sql(`UPDATE ledger_hold SET captured_amount = captured_amount - 0.01 WHERE id = ?`, [captured.id])
    await sql(`UPDATE ledger_hold SET transfer_id = ? WHERE id = ?`, [captured.transfer_id, open.id])
    expect(await verifyAgainstReference()).toEqual(["holds_consistent"])
  })

  it("rows the ledger never writes with deleted_at set still count", async () => {
    await seed()
    const wallet = await busyWallet()
    const t = await one(`SELECT id FROM ledger_transfer WHERE destination_id = ? ORDER BY id LIMIT 1`, [wallet.id])
    await insertEntry({ transfer_id: t.id, account_id: wallet.id, amount: "1", deleted_at: new Date().toISOString() })
    expect(await verifyAgainstReference()).toEqual(
      expect.arrayContaining(["transfers_sum_to_zero", "two_entries_per_transfer", "cached_balance_matches_entries", "statement_running_balances"])
    )
  })
})
