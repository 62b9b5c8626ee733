import { Client } from "pg"
import { startPrivatePostgres } from "../support/private-postgres"
import { runMedusaCli, startMedusaProcess } from "../support/medusa-process"
import { postingLoad } from "../support/posting-load"

jest.setTimeout(600_000)

/**
 * PostgreSQL goes away under load and comes back: on a server the test starts itself (never
 * the machine's shared one), stopped cleanly once and crashed (immediate shutdown, WAL
 * recovery) once while clients post transfers with idempotency keys. While it is down every
 * answer is a clear 503; Medusa reconnects by itself; each client retries what failed with
 * the same key, and every posting lands exactly once.
 */
describe("PostgreSQL restarted under load", () => {
  let pg: Awaited<ReturnType<typeof startPrivatePostgres>>
  let server: Awaited<ReturnType<typeof startMedusaProcess>> | undefined

  beforeAll(async () => {
    pg = await startPrivatePostgres({ database: "ledger_restart" })
    const migrated = await runMedusaCli(["db:migrate"], pg.url, { timeoutMs: 300_000 })
    if (migrated.code !== 0) throw new Error(`db:migrate failed:\n${migrated.output.slice(-3000)}`)
    const user = await runMedusaCli(["user", "-e", "admin@restart.test", "-p", "restart-secret"], pg.url)
    if (user.code !== 0) throw new Error(`medusa user failed:\n${user.output.slice(-3000)}`)
  })

  afterAll(async () => {
    await server?.stop()
    await pg?.destroy()
  })

  it("answers 503 while the database is down, recovers by itself, and every retried posting lands once", async () => {
    server = await startMedusaProcess(pg.url)
    const load = await postingLoad(server.url, { email: "admin@restart.test", password: "restart-secret" }, { clients: 6 })

    const recoveries: number[] = []
    await load.run(async () => {
      for (const mode of ["fast", "immediate"] as const) {
        await load.waitForSuccesses(40)
        await pg.stop(mode)
        const downAt = Date.now()
        await load.waitForFailures(12)
        await new Promise((r) => setTimeout(r, Math.max(0, 3000 - (Date.now() - downAt))))
        await pg.start()
        // Medusa reconnects by itself: postings land again without touching the server.
        const upAt = Date.now()
        await load.waitForSuccesses(1)
        recoveries.push(Date.now() - upAt)
      }
      await load.waitForSuccesses(40)
    })

    // The same server process answered throughout: it was never restarted.
    expect(server.child.exitCode).toBeNull()
    const failures = load.failures()
    expect(failures.length).toBeGreaterThan(0)
    // Every refusal while the database was away says so, with a stable code; none is a
    // 500, a hang or a dropped connection.
    const kinds = new Map<string, number>()
    for (const f of failures) kinds.set(`${f.status} ${f.code}`, (kinds.get(`${f.status} ${f.code}`) ?? 0) + 1)
    expect([...kinds.keys()]).toEqual(["503 database_unavailable"])
    // Once the server knows, it says so at once instead of letting a request wait on the pool.
    const quick = failures.filter((f) => f.ms < 1500).length
    expect(quick / failures.length).toBeGreaterThan(0.9)

    // Exactly once: each key one transfer, each balance what the successes add up to.
    const db = new Client({ connectionString: pg.url })
    await db.connect()
    try {
      const { rows } = await db.query(
        `SELECT idempotency_key, count(*)::int AS n FROM ledger_transfer WHERE idempotency_key LIKE 'restart-%' AND deleted_at IS NULL GROUP BY idempotency_key`
      )
      const keys = load.keys()
      expect(rows.filter((r) => r.n !== 1)).toEqual([])
      expect(rows.map((r) => r.idempotency_key).sort()).toEqual([...keys].sort())
    } finally {
      await db.end()
    }
    expect(await load.destinationBalance()).toBe(load.keys().length)
    const verified = await load.verify()
    expect(verified.checks.filter((c: any) => !c.ok)).toEqual([])
    console.log(
      `[postgres-restart] ${load.keys().length} postings by ${load.clients} clients across 2 restarts (clean, crash); ${failures.length} answers 503 database_unavailable (${quick} within 1.5 s), all retried; back ${recoveries.map((ms) => `${ms} ms`).join(" and ")} after PostgreSQL`
    )
  })
})
