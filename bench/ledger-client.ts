/**
 * One bench client: a plain Node process that loads the ledger module (as Medusa would)
 * and runs what scripts/bench.js asks over IPC. Started with
 * `node -r ts-node/register/transpile-only bench/ledger-client.ts`; never run by `npm test`.
 *
 * Messages in: { id, cmd, ...args }; out: { id, ok, result } or { id, ok: false, error }.
 * Every loop here is bounded: by a count, or by a deadline given by the parent.
 */
import { performance } from "perf_hooks"
import { loadLedger, migrateLedger } from "../integration-tests/support/standalone-ledger"

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
