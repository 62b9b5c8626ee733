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
import { ScaleSeedResult, seedScaleLedger } from "./scale-seed"

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

  async init({ url, poolMax }) {
    ledger = await loadLedger(url, { options: { currencies: ["usd"] }, poolMax })
    return { pid: process.pid }
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
  async seedScale({ url, accounts, entries }) {
    return seedScaleLedger(url, { accounts, entries, log: (m) => process.stderr.write(`[bench] seed: ${m}\n`) })
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
