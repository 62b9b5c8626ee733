#!/usr/bin/env node
// `npm test`: finds or starts PostgreSQL (scripts/lib/db.js), then runs every jest suite.
const { spawn } = require("child_process")
const { resolveDatabase } = require("./lib/db")
const { buildAdmin } = require("./lib/admin-build")

async function main() {
  const db = await resolveDatabase({ dir: ".test-db", port: 54329, log: (m) => console.log(`[test] ${m}`) })
  const jest = require.resolve("jest/bin/jest")
  const args = process.argv.slice(2)
  // The browser suite drives the built admin; build it first when that suite will run.
  const paths = args.filter((a) => !a.startsWith("-"))
  if (!paths.length || paths.some((p) => /browser|admin-ui/.test(p))) {
    await buildAdmin({ log: (m) => console.log(`[test] ${m}`) })
  }
  // Each suite decides whether its Medusa processes use Redis (REDIS_URL); none inherits it.
  const env = { ...process.env }
  delete env.REDIS_URL
  delete env.MEDUSA_WORKER_MODE
  const run = (jestArgs) => {
    const child = spawn(process.execPath, ["--expose-gc", "--experimental-vm-modules", "--no-warnings=ExperimentalWarning", jest, ...jestArgs], {
      stdio: "inherit",
      env: {
        ...env,
        ...db.env,
        NODE_ENV: "test",
        MEDUSA_DISABLE_TELEMETRY: "true",
        MEDUSA_ADMIN_DISABLE: process.env.MEDUSA_ADMIN_DISABLE ?? "true",
      },
    })
    return new Promise((resolve) => child.on("exit", (c, signal) => resolve(signal ? 1 : c)))
  }
  let code
  if (paths.length) {
    code = await run(["--maxWorkers=2", ...args])
  } else {
    // The whole suite in two phases: everything else two suites at a time, then the
    // production suites one at a time (each starts up to four Medusa processes of its own,
    // which side by side with another suite overload two cores and slow both).
    const started = Date.now()
    const first = await run(["--maxWorkers=2", "--testPathIgnorePatterns", "/integration-tests/production/", ...args])
    const middle = Date.now()
    const second = await run(["--maxWorkers=1", "integration-tests/production", ...args])
    const min = (ms) => `${(ms / 60000).toFixed(1)} min`
    console.log(`[test] suites ${min(middle - started)}, production suites ${min(Date.now() - middle)}: ${first || second ? "FAILED" : "all passed"}`)
    code = first || second
  }
  await db.stop()
  process.exit(code)
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
