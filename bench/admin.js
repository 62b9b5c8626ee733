/**
 * The admin part of `npm run bench` (section 7; `BENCH_ONLY=admin` runs it alone and writes
 * bench/results-admin.json): the reads behind the admin pages on a ledger seeded with a large
 * history (bench/scale-seed.ts: 100,000 accounts and 1,000,000 entries by default, not timed,
 * verify() run once after it):
 *
 *   - the accounts list as GET /admin/accounts queries it (open USD accounts, sorted by balance
 *     and by creation, page 3 of 20, with the count): searchAccounts, the rows and the computed fields, as the route reads them;
 *   - a statement page (page 3 of the busiest wallet);
 *   - the three reports (deferred income and trial balance as of now, profit and loss of the
 *     last 30 days, every currency);
 *   - for information, no target: a deep accounts page, the reports as of half a year ago and
 *     profit and loss over a quarter and over the whole year.
 *
 * Each is called `calls` times (50; informational ones `infoCalls`, 10) one at a time after 3
 * untimed calls, in the ledger client process (server side: the service call with its SQL,
 * no HTTP); p50/p95 and the EXPLAIN ANALYZE of the statements one call sends are reported.
 * Targets: list and statement < 200 ms p95, each report < 1 s p95.
 *
 * BENCH_ADMIN_KEEP=1 keeps the database (and records its seed); BENCH_ADMIN_REUSE=1 then
 * measures on it again without seeding.
 */
const { explain } = require("./scale")

const ADMIN_DB = "admin_bench"

async function adminSection({ db, createDatabase, startClient, log, percentile, cpuSnapshot, cpuBetween, config }) {
  const { Client } = require("pg")
  const url = db.url(ADMIN_DB)
  let client
  let pgc
  try {
    client = startClient("admin")
    let seed = config.reuse ? await keptSeed(url, config) : null
    let seedSeconds = 0
    if (seed) {
      log(`admin: reusing ${ADMIN_DB} as a run with BENCH_ADMIN_KEEP=1 seeded it`)
      seed = { ...seed, reused: true }
    } else {
      await createDatabase(db.url("postgres"), ADMIN_DB, { drop: true })
      await client.ready
      log(`admin: seeding ${ADMIN_DB} with ${config.entries.toLocaleString("en-US")} entries over ${config.accounts.toLocaleString("en-US")} accounts (not timed)`)
      const seedStart = Date.now()
      await client.call("migrate", { url })
      seed = await client.call("seedScale", { url, accounts: config.accounts, entries: config.entries, currencies: ["usd", "eur"] })
      seedSeconds = (Date.now() - seedStart) / 1000
      if (config.keep) await keepSeed(url, seed, config)
    }
    await client.ready
    await client.call("init", { url, poolMax: 4 })
    log("admin: verify() after seeding")
    const verify = await client.call("verify")

    log(`admin: the admin pages' reads, ${config.calls} calls each (${config.infoCalls} for the informational ones)`)
    const cpu0 = cpuSnapshot()
    const reads = await client.call("adminReads", { samples: seed.samples, calls: config.calls, infoCalls: config.infoCalls })
    const cpu = cpuBetween(cpu0, cpuSnapshot(), [client.pid], [ADMIN_DB])

    pgc = new Client({ connectionString: url })
    await pgc.connect()
    const results = []
    for (const [key, r] of Object.entries(reads)) {
      const sorted = Float64Array.from(r.latencies).sort()
      const plans = []
      for (const st of r.statements) {
        if (!/^\s*(\(?\s*select|with)\b/i.test(st.text) || /^\s*select set_config\(/i.test(st.text)) continue
        // as the reports run them: no JIT, 32 MB of work_mem (see beginReport)
        await pgc.query("BEGIN")
        try {
          await pgc.query(`SELECT set_config('jit', 'off', true), set_config('work_mem', '32MB', true)`)
          plans.push({ sql: oneLine(st.text), ...(await explain(pgc, st.text, st.values)) })
        } finally {
          await pgc.query("ROLLBACK")
        }
      }
      const p95 = percentile(sorted, 95)
      results.push({
        key,
        label: r.label,
        calls: sorted.length,
        p50_ms: percentile(sorted, 50),
        p95_ms: p95,
        max_ms: sorted.length ? sorted[sorted.length - 1] : null,
        target_ms: r.target_ms,
        pass: r.target_ms === null ? null : p95 < r.target_ms,
        plan: plans.some((p) => p.scan) ? "scan" : plans.some((p) => p.fullIndex) ? "whole index" : "index",
        sample: r.sample,
        plans,
      })
    }
    const [size] = (
      await pgc.query(`SELECT pg_database_size(current_database()) AS bytes,
                              (SELECT count(*) FROM ledger_entry)::int AS entries,
                              (SELECT count(*) FROM ledger_account)::int AS accounts`)
    ).rows
    const timed = results.filter((r) => r.target_ms !== null)
    return {
      database: { name: ADMIN_DB, kept: config.keep, bytes: Number(size.bytes), entries: size.entries, accounts: size.accounts },
      seed: { ...seed, samples: { ...seed.samples, codes: seed.samples.codes.length, references: seed.samples.references.length }, wall_seconds: seedSeconds },
      verify,
      config,
      cpu,
      reads: results,
      ok: verify.ok && timed.every((r) => r.pass),
    }
  } finally {
    if (pgc) await pgc.end().catch(() => {})
    if (client) await client.stop().catch(() => {})
    if (!config.keep && !config.reuse) await dropDatabase(db.url("postgres"), ADMIN_DB).catch((e) => log(`admin: could not drop ${ADMIN_DB}: ${e.message}`))
  }
}

// BENCH_ADMIN_KEEP=1 records the seed in the kept database; BENCH_ADMIN_REUSE=1 then skips
// seeding when the database holds a seed of the same size (the reads post nothing).
async function keepSeed(url, seed, config) {
  const { Client } = require("pg")
  const c = new Client({ connectionString: url })
  await c.connect()
  try {
    await c.query(`CREATE TABLE IF NOT EXISTS bench_admin_seed (size text PRIMARY KEY, result jsonb NOT NULL)`)
    await c.query(`INSERT INTO bench_admin_seed VALUES ($1, $2) ON CONFLICT (size) DO UPDATE SET result = EXCLUDED.result`, [
      `${config.accounts}/${config.entries}`,
      JSON.stringify(seed),
    ])
  } finally {
    await c.end()
  }
}

async function keptSeed(url, config) {
  const { Client } = require("pg")
  const c = new Client({ connectionString: url })
  try {
    await c.connect()
    const { rows } = await c.query(`SELECT result FROM bench_admin_seed WHERE size = $1`, [`${config.accounts}/${config.entries}`])
    return rows[0]?.result ?? null
  } catch {
    return null
  } finally {
    await c.end().catch(() => {})
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

function renderAdmin(ad, { table, f0, f2, pct, noiseLimit }) {
  if (!ad) return []
  if (ad.error) return [`7. Admin pages: FAILED — ${ad.error}`]
  const mark = (r) => (r.pass === null ? "(info)" : `< ${f0(r.target_ms)} ${r.pass ? "PASS" : "FAIL"}`)
  const rows = ad.reads.map((r) => [r.label, r.calls, f2(r.p50_ms), f2(r.p95_ms), f2(r.max_ms), mark(r), r.plan])
  const c = ad.cpu
  const out = [
    `7. Admin pages: ${ad.database.name} seeded with ${f0(ad.seed.entries)} entries, ${f0(ad.seed.transfers)} transfers, ${f0(ad.seed.accounts)} accounts ` +
      `(${ad.seed.currencies.join(", ")}; ${ad.seed.reused ? "kept from an earlier run" : `${f2(ad.seed.seconds)} s to seed, not timed`}; ${f0(ad.database.bytes / 1048576)} MB); ` +
      `verify() after seeding: ok = ${ad.verify.ok} (${f0(ad.verify.ms)} ms)${ad.verify.failed.length ? `, failed: ${ad.verify.failed.map((f) => `${f.name}×${f.count}`).join(", ")}` : ""}`,
    `Server-side latency (the service call and its SQL, no HTTP), one call at a time after 3 untimed:`,
    table(rows, ["call", "n", "p50 ms", "p95 ms", "max ms", "target p95 ms", "plan"]),
    `  CPU over the timed calls: client ${pct(c?.client)}, postgres ${pct(c?.postgres)}, other ${pct(c?.other)}${c && c.other > noiseLimit ? " (!: other processes loaded the host)" : ""} of one core.`,
    `  What they returned: ${ad.reads
      .filter((r) => r.target_ms !== null)
      .map((r) => `${r.key} ${JSON.stringify(r.sample)}`)
      .join("; ")}`,
    `  targets: ${ad.ok ? "all PASS" : "NOT all met"}`,
    "Plans (EXPLAIN ANALYZE of the statements one call sends; reports under their settings: jit off, work_mem 32 MB):",
  ]
  for (const r of ad.reads) {
    out.push(`  ${r.label}:`)
    const trivial = r.plans.filter((p) => !p.error && p.ms < 1).length
    for (const p of r.plans.filter((p) => p.error || p.ms >= 1)) {
      out.push(`    - ${p.sql.slice(0, 110)}${p.sql.length > 110 ? "…" : ""}`)
      out.push(p.error ? `        error: ${p.error}` : `        ${f2(p.ms)} ms: ${p.steps.join("; ") || "(no large step)"}`)
    }
    if (trivial) out.push(`    - and ${trivial} statement(s) under 1 ms (the snapshot's clock, currencies, account types)`)
  }
  return out
}

module.exports = { adminSection, renderAdmin, ADMIN_DB }
