/**
 * The lots part of `npm run bench` (issue 12), on a database of its own:
 *
 *   - redemptions of 0.01 from a wallet holding 1,000 lots (each its own expiry) against a
 *     wallet without lots, in alternating blocks; the lots one should take ≤ 1.5× as long;
 *   - the expiry sweep over BENCH_LOTS_ACCOUNTS wallets (100,000) of BENCH_LOTS_PER_ACCOUNT
 *     lots each (10: a million lots), half of them expired: one expiry transfer per wallet,
 *     target < 60 s; then verify().
 *
 * Seeding is not timed. The database is dropped at the end (BENCH_LOTS_KEEP=1 keeps it).
 */
const DB = "lots_bench"
const TARGETS = { redemptionRatio: 1.5, sweepSeconds: 60 }

async function lotsSection({ db, createDatabase, startClient, log, percentile, config }) {
  const base = db.url("postgres")
  const url = db.url(DB)
  let client
  try {
    await createDatabase(base, DB, { drop: true })
    client = startClient("lots")
    await client.ready
    await client.call("migrate", { url })
    await client.call("init", { url, poolMax: 8 })

    log(`lots: ${config.rounds} rounds of ${config.block} redemptions, a wallet with ${config.lots} lots against one without`)
    const red = await client.call("lotRedemptions", { lots: config.lots, rounds: config.rounds, block: config.block })
    const stats = (ms) => {
      const sorted = [...ms].sort((a, b) => a - b)
      return { n: ms.length, mean_ms: ms.reduce((a, b) => a + b, 0) / ms.length, p50_ms: percentile(sorted, 50), p99_ms: percentile(sorted, 99) }
    }
    const plain = stats(red.ms.plain)
    const lots = stats(red.ms.lots)
    const ratio = lots.mean_ms / plain.mean_ms

    log(`lots: seeding ${config.accounts.toLocaleString("en-US")} wallets with ${config.perAccount} lots each (not timed)`)
    const t0 = Date.now()
    const seed = await client.call("seedLots", { url, accounts: config.accounts, lotsPerAccount: config.perAccount })
    const seedSeconds = (Date.now() - t0) / 1000
    log(`lots: sweeping ${seed.expired.toLocaleString("en-US")} expired lots`)
    const sweep = await client.call("sweep")
    const again = await client.call("sweep")
    log("lots: verify()")
    const verify = await client.call("verify")
    return {
      redemption: { lots: config.lots, active_lots: red.active_lots, without_lots: plain, with_lots: lots, ratio, target: TARGETS.redemptionRatio, ok: ratio <= TARGETS.redemptionRatio },
      sweep: {
        ...seed,
        seed_seconds: seedSeconds,
        seconds: sweep.ms / 1000,
        lapsed_accounts: sweep.lapsed_accounts,
        second_run: { seconds: again.ms / 1000, lapsed_accounts: again.lapsed_accounts },
        target_seconds: TARGETS.sweepSeconds,
        ok: sweep.ms / 1000 < TARGETS.sweepSeconds && sweep.lapsed_accounts === seed.accounts && again.lapsed_accounts === 0,
      },
      verify,
      ok: ratio <= TARGETS.redemptionRatio && sweep.ms / 1000 < TARGETS.sweepSeconds && verify.ok,
    }
  } finally {
    if (client) await client.stop().catch(() => {})
    if (process.env.BENCH_LOTS_KEEP !== "1") {
      const { Client } = require("pg")
      const pg = new Client({ connectionString: base })
      await pg.connect()
      await pg.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`).catch(() => {})
      await pg.end()
    }
  }
}

module.exports = { lotsSection, LOTS_TARGETS: TARGETS }
