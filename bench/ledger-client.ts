/**
 * One bench client: a plain Node process that loads the ledger module (as Medusa would)
 * and runs what scripts/bench.js asks over IPC. Started with
 * `node -r ts-node/register/transpile-only bench/ledger-client.ts`; never run by `npm test`.
 *
 * Messages in: { id, cmd, ...args }; out: { id, ok, result } or { id, ok: false, error }.
 * Every loop here is bounded: by a count, or by a deadline given by the parent.
 */
import { performance } from "perf_hooks"
import { Client } from "pg"
import { loadLedger, migrateLedger } from "../integration-tests/support/standalone-ledger"
import { TRIAL_BALANCE_SQL, VERIFY_CHECKS } from "../src/modules/ledger/verify"
import { defaultAdminAccountFields } from "../src/api/admin/accounts/query-config"
import { ScaleSeedResult, seedScaleLedger } from "./scale-seed"
import { seedLotWallets } from "./lots-seed"

type Ledger = Awaited<ReturnType<typeof loadLedger>>

let ledger: Ledger | null = null

function need(): Ledger {
  if (!ledger) throw new Error("ledger not loaded (send init first)")
  return ledger
}

/** CPU time (user+system) this process used, in ms. */
function cpuMs() {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

// Statements sent to PostgreSQL while `recording` is set (the scale section EXPLAINs the
// reads the service really makes, whatever SQL it uses today).
let recording: { text: string; values: unknown[] }[] | null = null
const pgQuery = Client.prototype.query as (...args: any[]) => any
;(Client.prototype as any).query = function (config: any, values?: any, callback?: any) {
  if (recording) {
    const text = typeof config === "string" ? config : config?.text
    const vals = typeof config === "string" ? values : config?.values ?? values
    if (typeof text === "string") recording.push({ text, values: Array.isArray(vals) ? vals : [] })
  }
  return pgQuery.call(this, config, values, callback)
}

/** BENCH_GROUP_POSTING: 1/0, or "maxBatch,maxInFlight"; unset: the module's default. */
function groupPostingOption() {
  const v = process.env.BENCH_GROUP_POSTING
  if (v === undefined || v === "") return undefined
  if (v === "0" || v === "1") return v === "1"
  const [maxBatch, maxInFlight] = v.split(",").map(Number)
  return { maxBatch, maxInFlight }
}

async function runPool<T>(count: number, concurrency: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(count)
  let next = 0
  const lanes = Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) {
      const i = next++
      out[i] = await fn(i)
    }
  })
  await Promise.all(lanes)
  return out
}

const handlers: Record<string, (msg: any) => Promise<unknown>> = {
  async migrate({ url }) {
    await migrateLedger(url)
    return null
  },

  /** Loads the module (again: a later init replaces the first, e.g. with group posting on). */
  async init({ url, poolMax, groupPosting }) {
    ledger = await loadLedger(url, {
      // group posting on: with BENCH_GROUP_POSTING's limits when it gives some
      options: { currencies: ["usd"], groupPosting: groupPosting === true ? groupPostingOption() || true : groupPosting ?? groupPostingOption() },
      poolMax,
    })
    return { pid: process.pid }
  },

  /**
   * `batches` postBatch calls one after the other, each of `size` loads from the unpaid
   * source into `destinations` (a monthly grant); wall time of each call.
   */
  async batchPostings({ destinations, batches, size }) {
    const { service } = need()
    const ms: number[] = []
    let ok = 0
    let failed = 0
    let firstError: string | null = null
    for (let b = 0; b < batches; b++) {
      const items = Array.from({ length: size }, (_, i) => ({
        source_account_id: "@unpaid_source",
        destination_account_id: destinations[(b * size + i) % destinations.length],
        amount: "1.25",
        kind: "load" as const,
        description: "Monthly grant",
      }))
      const t = performance.now()
      const r = await service.postBatch(items)
      ms.push(performance.now() - t)
      ok += r.counts.ok
      failed += r.counts.failed
      if (!firstError) firstError = (r.results.find((x: any) => !x.ok) as any)?.error?.message ?? null
    }
    return { ms, ok, failed, firstError }
  },

  /** Issues `total` gift cards with an initial load from the bank, `size` per createAccounts call. */
  async issueCards({ total, size }) {
    const { service } = need()
    let ok = 0
    let failed = 0
    let firstError: string | null = null
    const t0 = performance.now()
    for (let done = 0; done < total; done += size) {
      const n = Math.min(size, total - done)
      const r = await service.createAccounts(
        Array.from({ length: n }, () => ({
          name: "Gift card",
          currency_code: "usd",
          type_id: "lat_liabilities_deferred_income_gift_cards",
          generate_code: true,
          initial_amount: "25",
          source_account_id: "@bank",
        }))
      )
      ok += r.counts.ok
      failed += r.counts.failed
      if (!firstError) firstError = (r.results.find((x: any) => !x.ok) as any)?.error?.message ?? null
    }
    return { seconds: (performance.now() - t0) / 1000, ok, failed, firstError }
  },

  /** Creates `count` accounts (funded with `initial` when given), `concurrency` at a time. */
  async createAccounts({ count, prefix, initial, concurrency }) {
    const { service } = need()
    return runPool(count, concurrency ?? 8, async (i) => {
      const input: any = { name: `${prefix}-${i}`, currency_code: "usd" }
      if (initial) input.initial_amount = initial
      return (await service.createAccount(input)).id
    })
  },

  /** Un-timed calls to warm the JIT, the pool and the server's plan caches. */
  async warmup({ source, destinations, redeemFrom, count }) {
    const { service } = need()
    for (let i = 0; i < count; i++) {
      if (destinations?.length) await service.transfer(source, destinations[i % destinations.length], 1)
      if (redeemFrom?.length) await service.redeem(redeemFrom[i % redeemFrom.length], 1)
    }
    return null
  },

  /** One transfer after the other, each to the next destination; latency of each call. */
  async sequential({ source, destinations, amount }) {
    const { service } = need()
    const lat = new Float64Array(destinations.length)
    let errors = 0
    let firstError: string | null = null
    const cpu0 = cpuMs()
    const t0 = performance.now()
    for (let i = 0; i < destinations.length; i++) {
      const s = performance.now()
      try {
        await service.transfer(source, destinations[i], amount)
      } catch (e: any) {
        errors++
        firstError ??= String(e?.message ?? e)
      }
      lat[i] = performance.now() - s
    }
    const wallMs = performance.now() - t0
    return { latencies: Array.from(lat), wallMs, cpuMs: cpuMs() - cpu0, errors, firstError }
  },

  /**
   * `workers` concurrent loops, each redeeming from its own accounts only, until the
   * shared wall-clock deadline `endAt` (Date.now() ms). Loops stop by themselves.
   */
  async hot({ workers, amount, endAt, maxCalls }) {
    const { service } = need()
    const latencies: number[] = []
    let errors = 0
    let firstError: string | null = null
    let calls = 0
    const cpu0 = cpuMs()
    const t0 = performance.now()
    const startedAt = Date.now()
    await Promise.all(
      (workers as string[][]).map(async (accounts) => {
        let k = 0
        while (Date.now() < endAt && calls < maxCalls) {
          calls++
          const s = performance.now()
          try {
            await service.redeem(accounts[k++ % accounts.length], amount)
            latencies.push(performance.now() - s)
          } catch (e: any) {
            errors++
            firstError ??= String(e?.message ?? e)
          }
        }
      })
    )
    return {
      latencies,
      errors,
      firstError,
      startedAt,
      finishedAt: Date.now(),
      wallMs: performance.now() - t0,
      cpuMs: cpuMs() - cpu0,
    }
  },

  /** Seeds the (migrated, empty) ledger at `url` with bench/scale-seed.ts. */
  async seedScale({ url, accounts, entries, currencies }) {
    return seedScaleLedger(url, { accounts, entries, currencies, log: (m) => process.stderr.write(`[bench] seed: ${m}\n`) })
  },

  /**
   * verify() `runs` times (total ms each), then each check's statement alone (ms), as the
   * service runs them.
   */
  async verifyTimed({ runs }) {
    const { service, db } = need()
    const totals: number[] = []
    let last: Awaited<ReturnType<typeof service.verify>> | null = null
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now()
      last = await service.verify()
      totals.push(performance.now() - t0)
    }
    const checks: { name: string; ms: number }[] = []
    for (const check of [...VERIFY_CHECKS, { name: "trial_balance", sql: TRIAL_BALANCE_SQL }]) {
      const t0 = performance.now()
      await db.raw(check.sql)
      checks.push({ name: check.name, ms: performance.now() - t0 })
    }
    return {
      ok: last!.ok,
      totals,
      failed: last!.checks.filter((c) => !c.ok).map((c) => ({ name: c.name, count: c.count })),
      checks,
    }
  },

  /**
   * Latency of the reads (and a keyed posting) worth watching as the ledger grows: `calls`
   * timed calls of each after 3 untimed ones, one at a time; plus the SQL statements one
   * more call sends, for EXPLAIN.
   */
  async scaleReads({ samples, calls, deepOffset, source, keyedDestinations, runId }) {
    const { service } = need()
    const s = samples as ScaleSeedResult["samples"]
    const ops: { key: string; label: string; run: (i: number) => Promise<unknown> }[] = [
      { key: "statement_wallet", label: `statement(), busiest wallet (${s.heavy_wallet_entries} entries), first page`, run: () => service.statement(s.heavy_wallet_id) },
      { key: "statement_typical", label: `statement(), typical wallet (${s.typical_wallet_entries} entries)`, run: () => service.statement(s.typical_wallet_id) },
      { key: "statement_core_first", label: `statement(), Redemptions (${s.redemptions_entries} entries), first page`, run: () => service.statement(s.redemptions_id) },
      { key: "statement_core_deep", label: `statement(), Redemptions, page at offset ${deepOffset}`, run: () => service.statement(s.redemptions_id, { offset: deepOffset }) },
      { key: "accounts_list", label: "accounts list (Query: listAndCountLedgerAccounts, first 20)", run: () => service.listAndCountLedgerAccounts({}, { take: 20, skip: 0 }) },
      { key: "get_transfer", label: "getTransfer(reference)", run: (i) => service.getTransfer(s.references[i % s.references.length]) },
      { key: "account_by_code", label: "getAccountByCode(code)", run: (i) => service.getAccountByCode(s.codes[i % s.codes.length]) },
      {
        key: "keyed_transfer",
        label: "transfer() with an idempotency key (a new key each)",
        run: (i) => service.transfer(source, keyedDestinations[i % keyedDestinations.length], 1, { idempotency_key: `bench-${runId}-${i}` }),
      },
      {
        key: "plain_transfer",
        label: "transfer() without a key (same accounts)",
        run: (i) => service.transfer(source, keyedDestinations[i % keyedDestinations.length], 1),
      },
    ]
    const out: Record<string, { label: string; latencies: number[]; statements: { text: string; values: unknown[] }[] }> = {}
    let n = 0
    for (const op of ops) {
      for (let i = 0; i < 3; i++) await op.run(n++)
      const latencies: number[] = []
      for (let i = 0; i < calls; i++) {
        const t0 = performance.now()
        await op.run(n++)
        latencies.push(performance.now() - t0)
      }
      recording = []
      try {
        await op.run(n++)
      } finally {
        out[op.key] = { label: op.label, latencies, statements: recording }
        recording = null
      }
    }
    return out
  },

  /**
   * The admin pages' reads (bench/admin.js): `calls` timed calls of each after 3 untimed
   * ones, one at a time (`infoCalls` for the informational ones), and the statements one
   * more call sends, for EXPLAIN. The accounts list is read as GET /admin/accounts reads it:
   * searchAccounts, then the page's rows and computed fields.
   */
  async adminReads({ samples, calls, infoCalls }) {
    const { service } = need()
    const s = samples as ScaleSeedResult["samples"]
    const day = 86_400_000
    // As GET /admin/accounts reads a page: the search (one statement, with its count), the
    // rows of the page, and the page's computed fields (transfer counts, first loads).
    const list = (order: Record<string, string>, skip: number) => async () => {
      const [field, dir] = Object.entries(order)[0]
      const { ids, count } = await service.searchAccounts({ status: ["open"], currency_code: ["usd"] }, { order: { field: field as any, desc: dir === "DESC" }, limit: 20, offset: skip })
      const rows = await service.listLedgerAccounts({ id: ids }, { select: defaultAdminAccountFields })
      await service.accountSummaries(ids)
      return { rows, count }
    }
    const ops: { key: string; label: string; target_ms: number | null; calls: number; run: () => Promise<unknown> }[] = [
      { key: "accounts_by_balance", label: "accounts list: open USD, by balance (desc), page 3 of 20, with count", target_ms: 200, calls, run: list({ balance: "DESC" }, 40) },
      { key: "accounts_by_created", label: "accounts list: open USD, by created_at (desc), page 3 of 20, with count", target_ms: 200, calls, run: list({ created_at: "DESC" }, 40) },
      { key: "statement_page3", label: `statement(), busiest wallet (${s.heavy_wallet_entries} entries), page 3 of 50`, target_ms: 200, calls, run: () => service.statement(s.heavy_wallet_id, { limit: 50, offset: 100 }) },
      { key: "deferred_income", label: "deferred income report, as of now, every currency", target_ms: 1000, calls, run: () => service.deferredIncomeReport() },
      { key: "profit_loss", label: "profit and loss report, the last 30 days, every currency", target_ms: 1000, calls, run: () => service.profitLossReport() },
      { key: "trial_balance", label: "trial balance report, as of now, every currency", target_ms: 1000, calls, run: () => service.trialBalanceReport() },
      // informational: no target
      { key: "accounts_by_balance_deep", label: "accounts list: open USD, by balance, page 1,001 of 20 (offset 20,000)", target_ms: null, calls: infoCalls, run: list({ balance: "DESC" }, 20000) },
      { key: "deferred_income_past", label: "deferred income report, as of 182 days ago", target_ms: null, calls: infoCalls, run: () => service.deferredIncomeReport({ as_of: new Date(Date.now() - 182 * day) }) },
      { key: "trial_balance_past", label: "trial balance report, as of 182 days ago", target_ms: null, calls: infoCalls, run: () => service.trialBalanceReport({ as_of: new Date(Date.now() - 182 * day) }) },
      { key: "profit_loss_quarter", label: "profit and loss report, the last 91 days", target_ms: null, calls: infoCalls, run: () => service.profitLossReport({ from: new Date(Date.now() - 91 * day) }) },
      { key: "profit_loss_year", label: "profit and loss report, the last 365 days (the whole seeded history)", target_ms: null, calls: infoCalls, run: () => service.profitLossReport({ from: new Date(Date.now() - 365 * day) }) },
    ]
    const out: Record<string, { label: string; target_ms: number | null; latencies: number[]; statements: { text: string; values: unknown[] }[]; sample: unknown }> = {}
    for (const op of ops) {
      for (let i = 0; i < 3; i++) await op.run()
      const latencies: number[] = []
      for (let i = 0; i < op.calls; i++) {
        const t0 = performance.now()
        await op.run()
        latencies.push(performance.now() - t0)
      }
      recording = []
      let sample: unknown = null
      try {
        sample = await op.run()
      } finally {
        out[op.key] = { label: op.label, target_ms: op.target_ms, latencies, statements: recording, sample: summarize(op.key, sample) }
        recording = null
      }
    }
    return out
  },

  /**
   * Redemptions of 0.01 from a wallet without lots and from one holding `lots` lots (each
   * grant its own expiry), in alternating blocks of `block`; wall time of each call.
   */
  async lotRedemptions({ lots, rounds, block }) {
    const { service } = need()
    const plain = await service.createAccount({ name: "No lots", currency_code: "usd", initial_amount: 1000 })
    const lotted = await service.createAccount({ name: "Lots", currency_code: "usd" })
    const day = 86_400_000
    await runPool(lots, 4, (i) => service.topUp(lotted.id, "1.00", { expires_at: new Date(Date.now() + (i + 1) * day) }))
    const ms: Record<"plain" | "lots", number[]> = { plain: [], lots: [] }
    for (const id of [plain.id, lotted.id]) for (let i = 0; i < block; i++) await service.redeem(id, "0.01") // warm
    for (let r = 0; r < rounds; r++) {
      for (const [k, id] of (r % 2 ? [["lots", lotted.id], ["plain", plain.id]] : [["plain", plain.id], ["lots", lotted.id]]) as ["plain" | "lots", string][]) {
        for (let i = 0; i < block; i++) {
          const t = performance.now()
          await service.redeem(id, "0.01")
          ms[k].push(performance.now() - t)
        }
      }
    }
    const { count } = await service.listLots(lotted.id, { status: "active", limit: 1 })
    return { ms, active_lots: count }
  },

  async seedLots({ url, accounts, lotsPerAccount }) {
    return seedLotWallets(url, { accounts, lotsPerAccount })
  },

  /** The expiry sweep (lapses expired lots), timed. */
  async sweep() {
    const { service } = need()
    const t0 = performance.now()
    const r = await service.closeExpiredAccounts()
    return { ms: performance.now() - t0, lapsed_accounts: r.lapsed_credit.length, expiring_notices: r.expiring_credit.length }
  },

  async verify() {
    const { service } = need()
    const t0 = performance.now()
    const r = await service.verify()
    return {
      ok: r.ok,
      ms: performance.now() - t0,
      failed: r.checks.filter((c) => !c.ok).map((c) => ({ name: c.name, count: c.count })),
    }
  },

  async exit() {
    if (ledger) await ledger.shutdown()
    ledger = null
    setImmediate(() => process.exit(0))
    return null
  },
}

/** What a read returned, in short, for the bench's output (that the figures are real). */
function summarize(key: string, r: any): unknown {
  if (!r) return null
  if (key.startsWith("accounts")) return { count: r[1], page: r[0]?.length }
  if (key.startsWith("statement")) return { count: r.count, lines: r.lines?.length }
  if (key.startsWith("deferred")) return r.reports.map((x: any) => ({ currency_code: x.currency_code, balance: x.totals.balance, accounts: x.totals.accounts }))
  if (key.startsWith("trial")) return r.reports.map((x: any) => ({ currency_code: x.currency_code, total: x.total, balanced: x.balanced }))
  if (key.startsWith("profit")) return r.reports.map((x: any) => ({ currency_code: x.currency_code, sum: x.sum, change: x.change, balanced: x.balanced }))
  return null
}

process.on("message", async (msg: any) => {
  try {
    const handler = handlers[msg.cmd]
    if (!handler) throw new Error(`unknown command ${msg.cmd}`)
    const result = await handler(msg)
    process.send!({ id: msg.id, ok: true, result })
  } catch (e: any) {
    process.send!({ id: msg.id, ok: false, error: String(e?.stack ?? e) })
  }
})

// The parent going away ends this process too.
process.on("disconnect", () => process.exit(0))
process.send!({ ready: true })
