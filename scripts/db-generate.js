#!/usr/bin/env node
// `npm run db:generate`: writes the ledger module's next migration from its models
// (`medusa db:generate ledger`). Medusa needs a database to connect to, even though it diffs
// against the committed snapshot: this finds or starts one as `npm test` does and uses a
// scratch database on it, dropped afterwards.
const { spawnSync } = require("child_process")
const { resolveDatabase, createDatabase } = require("./lib/db")

async function main() {
  const db = await resolveDatabase({ dir: ".test-db", port: 54329, log: (m) => console.log(`[db:generate] ${m}`) })
  const name = `ledger_generate_${process.pid}`
  const url = db.url(name)
  let status = 1
  try {
    await createDatabase(url, name, { drop: true })
    const cli = require.resolve("@medusajs/cli/cli.js")
    const modules = process.argv.slice(2)
    const run = spawnSync(process.execPath, [cli, "db:generate", ...(modules.length ? modules : ["ledger"])], {
      stdio: "inherit",
      env: { ...process.env, DATABASE_URL: url, MEDUSA_DISABLE_TELEMETRY: "true", MEDUSA_ADMIN_DISABLE: "true" },
    })
    status = run.status ?? 1
  } finally {
    await dropDatabase(url, name).catch(() => {})
    await db.stop()
  }
  process.exit(status)
}

async function dropDatabase(url, name) {
  const { Client } = require("pg")
  const client = new Client({ connectionString: url.replace(/\/[^/]*$/, "/postgres") })
  await client.connect()
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
  } finally {
    await client.end()
  }
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
