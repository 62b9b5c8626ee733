/**
 * The scale part of `npm run bench`: the ledger empty and holding a large history
 * (bench/scale-seed.ts, 1,000,000 entries by default), in the same run:
 *
 *   - single sequential postings (the `transfer` loop of section 1, through the service)
 *     on both, in alternating rounds so that whatever drifts on the machine hits both;
 *     the seeded ledger should keep ≥ 90 % of the empty one's rate;
 *   - verify() on the seeded ledger, in all and per check;
 *   - p50/p95 latency of the reads that grow with the ledger (statements, the accounts
 *     list, a transfer by reference, a code look-up) and of a keyed posting, each with
 *     the EXPLAIN ANALYZE of the statements it sends, so a scan shows as a scan.
 *
 * Seeding is not timed. Both databases are dropped at the end (BENCH_SCALE_KEEP=1 keeps
 * them). Used by scripts/bench.js.
 */
const EMPTY_DB = "scale_bench_empty"
const SEEDED_DB = "scale_bench_seeded"
const SOURCE = "acc_sys_usd_unpaid_source"
// The statement ledger_post runs for an idempotency key (schema/v2.ts); it runs inside the
// function, so the service's own statement shows only a function call.
const KEY_LOOKUP_SQL = "SELECT * FROM ledger_transfer x WHERE x.idempotency_key = $1 AND x.deleted_at IS NULL"
// Reads that touch more rows than this are called scans.
const SCAN_ROWS = 10000

async function scaleSection({ db, createDatabase, startClient, log, percentile, cpuSnapshot, cpuBetween, config }) {
  const { Client } = require("pg")
  const base = db.url("postgres")
  const urls = { empty: db.url(EMPTY_DB), seeded: db.url(SEEDED_DB) }
  const clients = {}
  let pgc
  try {
    for (const name of [EMPTY_DB, SEEDED_DB]) await createDatabase(base, name, { drop: true })
    clients.empty = startClient("scale-empty")
    clients.seeded = startClient("scale-seeded")
    await Promise.all([clients.empty.ready, clients.seeded.ready])

    log(`scale: seeding ${SEEDED_DB} with ${config.entries.toLocaleString("en-US")} entries over ${config.accounts.toLocaleString("en-US")} accounts (not timed)`)
    const seedStart = Date.now()
    await clients.seeded.call("migrate", { url: urls.seeded })
    const seed = await clients.seeded.call("seedScale", { url: urls.seeded, accounts: config.accounts, entries: config.entries })
    const seedSeconds = (Date.now() - seedStart) / 1000
    await clients.empty.call("migrate", { url: urls.empty })
    await Promise.all(["empty", "seeded"].map((k) => clients[k].call("init", { url: urls[k], poolMax: 4 })))

    // The same fresh destination accounts on both sides, as in section 1.
    const N = config.n
    const R = config.rounds
    const dest = {}
    for (const k of ["empty", "seeded"]) {
      log(`scale: creating ${N * R + 200 + config.calls + 6} destination accounts in ${k === "empty" ? EMPTY_DB : SEEDED_DB}`)
      dest[k] = await clients[k].call("createAccounts", { count: N * R + 200 + config.calls + 6, prefix: "scale", concurrency: 8 })
      const warm = dest[k].splice(0, 200)
      await clients[k].call("warmup", { source: SOURCE, destinations: warm, count: warm.length })
    }

    const rounds = { empty: [], seeded: [] }
    for (let r = 0; r < R; r++) {
      for (const k of r % 2 ? ["seeded", "empty"] : ["empty", "seeded"]) {
        log(`scale: round ${r + 1}/${R}, ${N} transfers on the ${k} ledger`)
        const cpu0 = cpuSnapshot()
        const res = await clients[k].call("sequential", { source: SOURCE, destinations: dest[k].slice(r * N, (r + 1) * N), amount: 1 })
        const cpu = cpuBetween(cpu0, cpuSnapshot(), [clients[k].pid], [k === "empty" ? EMPTY_DB : SEEDED_DB])
        rounds[k].push({ tps: (N - res.errors) / (res.wallMs / 1000), errors: res.errors, first_error: res.firstError, latencies: res.latencies, cpu })
      }
    }
    const sequential = {}
    for (const k of ["empty", "seeded"]) {
      const all = Float64Array.from(rounds[k].flatMap((x) => x.latencies)).sort()
      const tps = rounds[k].map((x) => x.tps).sort((a, b) => a - b)
      sequential[k] = {
        transfers: N * R,
        tps_median: tps[Math.floor(tps.length / 2)],
        tps_rounds: rounds[k].map((x) => x.tps),
        p50_ms: percentile(all, 50),
        p99_ms: percentile(all, 99),
        errors: rounds[k].reduce((a, x) => a + x.errors, 0),
        first_error: rounds[k].map((x) => x.first_error).find(Boolean) ?? null,
        cpu_rounds: rounds[k].map((x) => x.cpu),
      }
    }
    const ratio = sequential.seeded.tps_median / sequential.empty.tps_median

    log(`scale: verify() on the seeded ledger, ${config.verifyRuns} runs`)
    const verify = await clients.seeded.call("verifyTimed", { runs: config.verifyRuns })

    const deepOffset = Math.floor(seed.samples.redemptions_entries / 2)
    log(`scale: read latencies on the seeded ledger, ${config.calls} calls each`)
    const keyed = dest.seeded.slice(N * R)
    const reads = await clients.seeded.call("scaleReads", {
      samples: seed.samples,
      calls: config.calls,
      deepOffset,
      source: SOURCE,
      keyedDestinations: keyed,
      runId: Date.now().toString(36),
    })

    pgc = new Client({ connectionString: urls.seeded })
    await pgc.connect()
    const latencies = []
    for (const [key, r] of Object.entries(reads)) {
      const sorted = Float64Array.from(r.latencies).sort()
      const plans = []
      for (const st of r.statements) {
        const reads = /^\s*(\(?\s*select|with)\b/i.test(st.text) && !/\b(insert|update|delete)\b/i.test(st.text)
        if (!reads || /\bledger_(post|hold|release|set_status|expire)\s*\(/i.test(st.text)) {
          plans.push({ sql: oneLine(st.text), explained: false })
          continue
        }
        plans.push({ sql: oneLine(st.text), explained: true, ...(await explain(pgc, st.text, st.values)) })
      }
      if (key === "keyed_transfer") {
        plans.push({ sql: `${KEY_LOOKUP_SQL}  -- inside ledger_post()`, explained: true, ...(await explain(pgc, KEY_LOOKUP_SQL, [`bench-absent-${Date.now()}`])) })
      }
      latencies.push({
        key,
        label: r.label,
        calls: sorted.length,
        p50_ms: percentile(sorted, 50),
        p95_ms: percentile(sorted, 95),
        plan: plans.some((p) => p.scan) ? "scan" : plans.some((p) => p.fullIndex) ? "whole index" : "index",
        plans,
      })
    }
    const [size] = (
      await pgc.query(`SELECT pg_database_size(current_database()) AS bytes,
                              (SELECT count(*) FROM ledger_entry)::int AS entries,
                              (SELECT count(*) FROM ledger_account)::int AS accounts`)
    ).rows

    return {
      databases: { empty: EMPTY_DB, seeded: SEEDED_DB, kept: config.keep },
      seed: { ...seed, samples: { ...seed.samples, codes: seed.samples.codes.length, references: seed.samples.references.length }, wall_seconds: seedSeconds },
      seeded_size: { bytes: Number(size.bytes), entries: size.entries, accounts: size.accounts },
      config,
      sequential,
      ratio,
      target: 0.9,
      ok: ratio >= 0.9,
      verify,
      reads: latencies,
    }
  } finally {
    if (pgc) await pgc.end().catch(() => {})
    await Promise.all(Object.values(clients).map((c) => c.stop().catch(() => {})))
    if (!config.keep) {
      for (const name of [EMPTY_DB, SEEDED_DB]) await dropDatabase(base, name).catch((e) => log(`scale: could not drop ${name}: ${e.message}`))
    }
  }
}

async function dropDatabase(url, name) {
  const { Client } = require("pg")
  const c = new Client({ connectionString: url })
  await c.connect()
  try {
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
  } finally {
    await c.end()
  }
}

const oneLine = (sql) => sql.replace(/\s+/g, " ").trim()

/** EXPLAIN ANALYZE of one read: its time, the tables it scans and the indexes it uses. */
async function explain(pgc, text, values) {
  try {
    const { rows } = await pgc.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${text}`, values)
    const root = rows[0]["QUERY PLAN"][0]
    const nodes = []
    const walk = (n) => {
      nodes.push(n)
      for (const c of n.Plans ?? []) walk(c)
    }
    walk(root.Plan)
    const steps = []
    let scan = false
    // a whole index read in order (e.g. to count every row), not a scan of the table
    let fullIndex = false
    for (const n of nodes) {
      const loops = n["Actual Loops"] ?? 1
      const rowsOut = (n["Actual Rows"] ?? 0) * loops
      const removed = ((n["Rows Removed by Filter"] ?? 0) + (n["Rows Removed by Index Recheck"] ?? 0)) * loops
      const type = n["Node Type"]
      if (type === "Seq Scan") {
        const read = rowsOut + removed
        if (read > SCAN_ROWS) scan = true
        steps.push(`${n["Parallel Aware"] ? "Parallel " : ""}Seq Scan on ${n["Relation Name"]} (${fmt(read)} rows read${removed ? `, ${fmt(removed)} filtered out` : ""}${n.Filter ? `; filter ${n.Filter}` : ""})`)
      } else if (/Index/.test(type) && n["Index Name"]) {
        if (rowsOut + removed > SCAN_ROWS) fullIndex = true
        steps.push(`${type} ${n["Index Name"]} on ${n["Relation Name"] ?? "?"} (${fmt(rowsOut)} rows${removed ? `, ${fmt(removed)} filtered out` : ""})`)
      } else if (type === "Bitmap Heap Scan") {
        steps.push(`Bitmap Heap Scan on ${n["Relation Name"]} (${fmt(rowsOut)} rows)`)
      } else if ((type === "Sort" || type === "WindowAgg" || type === "Aggregate" || type === "Hash") && n.Plans?.[0]) {
        const input = (n.Plans[0]["Actual Rows"] ?? 0) * (n.Plans[0]["Actual Loops"] ?? 1)
        if (input > SCAN_ROWS) steps.push(`${type} over ${fmt(input)} rows`)
      }
    }
    return { ms: root["Execution Time"], scan, fullIndex, steps }
  } catch (e) {
    return { error: String(e.message).split("\n")[0] }
  }
}

const fmt = (x) => Math.round(x).toLocaleString("en-US")

function renderScale(sc, { table, f0, f2, pct, noiseLimit }) {
  if (!sc) return []
  if (sc.error) return [`6. Ledger at scale: FAILED — ${sc.error}`]
  const cpuCell = (cpus) => {
    const ok = cpus.filter(Boolean)
    if (!ok.length) return ["—", "—", "—"]
    const avg = (k) => ok.reduce((a, c) => a + c[k], 0) / ok.length
    return [pct(avg("client")), pct(avg("postgres")), `${pct(avg("other"))}${avg("other") > noiseLimit ? " !" : ""}`]
  }
  const s = sc.sequential
  const rows = [
    [`6. transfer, sequential, empty ledger`, `${sc.config.rounds} × ${f0(sc.config.n)}`, f0(s.empty.tps_median), s.empty.tps_rounds.map(f0).join(" / "), f2(s.empty.p50_ms), f2(s.empty.p99_ms), s.empty.errors, ...cpuCell(s.empty.cpu_rounds)],
    [`6. transfer, sequential, ${f0(sc.seed.entries)}-entry ledger`, `${sc.config.rounds} × ${f0(sc.config.n)}`, f0(s.seeded.tps_median), s.seeded.tps_rounds.map(f0).join(" / "), f2(s.seeded.p50_ms), f2(s.seeded.p99_ms), s.seeded.errors, ...cpuCell(s.seeded.cpu_rounds)],
  ]
  const v = sc.verify
  const sortedTotals = [...v.totals].sort((a, b) => a - b)
  const readRows = sc.reads.map((r) => [r.label, r.calls, f2(r.p50_ms), f2(r.p95_ms), r.plan])
  const out = [
    `6. Ledger at scale: ${sc.databases.seeded} seeded with ${f0(sc.seed.entries)} entries, ${f0(sc.seed.transfers)} transfers, ${f0(sc.seed.accounts)} accounts, ${f0(sc.seed.holds)} holds ` +
      `(${f2(sc.seed.seconds)} s to seed, not timed; ${f0(sc.seeded_size.bytes / 1048576)} MB), against ${sc.databases.empty}, empty, in alternating rounds:`,
    table(rows, ["run", "rounds", "tx/s (median)", "tx/s per round", "p50 ms", "p99 ms", "errors", "CPU client", "CPU postgres", "CPU other"]),
    `  CPU columns: % of one core, averaged over the rounds ("!" = other processes used over ${noiseLimit} %).`,
    `  sequential tps, seeded / empty = ${pct(100 * sc.ratio)}  (target ≥ ${pct(100 * sc.target)})  ${sc.ok ? "PASS" : "FAIL"}`,
    "",
    `verify() on the seeded ledger (${f0(sc.seeded_size.entries)} entries by then): ${f0(sortedTotals[Math.floor(sortedTotals.length / 2)])} ms median of ${v.totals.length} (${v.totals.map(f0).join(" / ")} ms), ok = ${v.ok}` +
      (v.failed.length ? ` (failed: ${v.failed.map((f) => `${f.name}×${f.count}`).join(", ")})` : ""),
    `  per check: ${v.checks.map((c) => `${c.name} ${f0(c.ms)}`).join(", ")} ms`,
    "",
    `Reads and a keyed posting on the seeded ledger (${sc.config.calls} calls each, one at a time; plan "scan" = a table read`,
    `sequentially over more than ${fmt(SCAN_ROWS)} rows, "whole index" = an index read end to end, e.g. to count):`,
    table(readRows, ["call", "n", "p50 ms", "p95 ms", "plan"]),
    "Plans (EXPLAIN ANALYZE of the statements one call sends):",
  ]
  for (const r of sc.reads) {
    out.push(`  ${r.label}:`)
    for (const p of r.plans) {
      if (!p.explained) {
        out.push(`    - ${p.sql.slice(0, 110)}${p.sql.length > 110 ? "…" : ""} (not explained: it writes)`)
        continue
      }
      out.push(`    - ${p.sql.slice(0, 110)}${p.sql.length > 110 ? "…" : ""}`)
      out.push(p.error ? `        error: ${p.error}` : `        ${f2(p.ms)} ms: ${p.steps.join("; ") || "(no table access)"}`)
    }
  }
  return out
}

module.exports = { scaleSection, renderScale, explain, EMPTY_DB, SEEDED_DB }
