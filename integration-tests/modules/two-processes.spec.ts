import { ChildProcess, spawn } from "child_process"
import path from "path"
import { Client } from "pg"
import { TestDatabaseUtils } from "@medusajs/test-utils"
import { loadLedger, migrateLedger } from "../support/standalone-ledger"

jest.setTimeout(180000)

/**
 * The invariants across two Node processes that share one database, each with the ledger
 * module loaded the way a Medusa server loads it (two servers behind a load balancer).
 */
const ROOT = path.join(__dirname, "../..")
const WORKER = path.join(ROOT, "integration-tests/support/two-process-worker.ts")
const SALES = "acc_sys_usd_redemptions"
const dbName = `${process.env.LEDGER_TEST_DB_PREFIX ?? ""}ledger-two-proc-${process.env.JEST_WORKER_ID ?? "1"}`
const dbUrl = TestDatabaseUtils.getDatabaseURL(dbName)

type Msg = { type: string; phase?: string; [k: string]: any }

class Worker {
  readonly messages: Msg[] = []
  readonly exited: Promise<number | null>
  private stderr = ""
  private waiters: (() => void)[] = []

  constructor(readonly name: string, plan: unknown, readonly child: ChildProcess = spawn(
    process.execPath,
    ["-r", "ts-node/register/transpile-only", WORKER],
    {
      cwd: ROOT,
      env: { ...process.env, LEDGER_DB_URL: dbUrl, LEDGER_WORKER_PLAN: JSON.stringify(plan), LEDGER_POOL_MAX: "12", TS_NODE_TRANSPILE_ONLY: "true" },
      stdio: ["pipe", "pipe", "pipe"],
    }
  )) {
    let buffer = ""
    child.stdout!.on("data", (chunk) => {
      buffer += chunk.toString()
      let nl: number
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, nl)
        buffer = buffer.slice(nl + 1)
        if (line.startsWith("@@ledger ")) {
          this.messages.push(JSON.parse(line.slice("@@ledger ".length)))
          this.waiters.splice(0).forEach((w) => w())
        }
      }
    })
    child.stderr!.on("data", (chunk) => (this.stderr += chunk.toString()))
    this.exited = new Promise((resolve) =>
      child.on("exit", (code) => {
        this.waiters.splice(0).forEach((w) => w())
        resolve(code)
      })
    )
  }

  /** Resolves with the first message matching, or fails if the process ends first. */
  async waitFor(pred: (m: Msg) => boolean, what: string): Promise<Msg> {
    for (;;) {
      const found = this.messages.find(pred)
      if (found) return found
      const error = this.messages.find((m) => m.type === "error")
      if (error) throw new Error(`${this.name} failed while waiting for ${what}: ${error.message}`)
      if (this.child.exitCode !== null) {
        throw new Error(`${this.name} exited (${this.child.exitCode}) while waiting for ${what}\n${this.stderr.slice(-4000)}`)
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve))
    }
  }

  send(line: string) {
    this.child.stdin!.write(`${line}\n`)
  }

  kill() {
    if (this.child.exitCode === null && this.child.pid) {
      this.child.kill("SIGKILL")
    }
  }
}

async function adminQuery(sql: string) {
  const client = new Client({ connectionString: dbUrl.replace(/\/[^/]*$/, "/postgres") })
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}

describe("two processes sharing one database", () => {
  let ledger: Awaited<ReturnType<typeof loadLedger>>

  beforeAll(async () => {
    await adminQuery(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`)
    await adminQuery(`CREATE DATABASE "${dbName}"`)
    await migrateLedger(dbUrl)
    ledger = await loadLedger(dbUrl, { options: { currencies: ["usd"] }, poolMax: 5 })
  })

  afterAll(async () => {
    await ledger?.shutdown()
    await adminQuery(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`)
  })

  it("keep every invariant: one balance, one hot sales account, one transfer per idempotency key", async () => {
    const { service, db } = ledger
    const wallet = (amount: number) => service.createAccount({ name: "Wallet", currency_code: "usd", initial_amount: amount })

    // (a) one 100.00 account both processes debit 20 times 10.00 at once; it keeps its money
    // in ten lots of 10.00 with different expiries, which must be spent soonest first
    const shared = await service.createAccount({ name: "Points", currency_code: "usd" })
    for (let i = 0; i < 10; i++) {
      await service.topUp(shared.id, 10, { expires_at: new Date(Date.now() + (10 + ((i * 3) % 10)) * 86_400_000) })
    }
    // (b) each process credits the sales account from its own wallets, 4 loops x 60
    const creditAmounts = Array.from({ length: 60 }, (_, i) => ((i % 9) + 1 + (i % 7) / 100).toFixed(2))
    const creditWallets = { A: [] as string[], B: [] as string[] }
    for (const w of ["A", "B"] as const) {
      for (let i = 0; i < 4; i++) creditWallets[w].push((await wallet(1000)).id)
    }
    // (c) the same 25 idempotency keys from both processes, one 1.00 payment each
    const keyed = await wallet(100)
    const keys = Array.from({ length: 25 }, (_, i) => `checkout-${i}`)
    const salesBefore = Number((await service.getAccount(SALES)).balance)

    const plan = (w: "A" | "B") => ({
      worker: w,
      debit: { account: shared.id, amount: "10.00", count: 20 },
      credit: { accounts: creditWallets[w], amounts: creditAmounts },
      keyed: { account: keyed.id, amount: "1.00", keys: w === "A" ? keys : [...keys].reverse() },
    })
    const workers = [new Worker("A", plan("A")), new Worker("B", plan("B"))]
    try {
      const results: Record<string, Msg[]> = {}
      for (const phase of ["debit", "credit", "keyed"]) {
        // a barrier: both processes ready, then both go
        await Promise.all(workers.map((w) => w.waitFor((m) => m.type === "ready" && m.phase === phase, `ready ${phase}`)))
        workers.forEach((w) => w.send(`go ${phase}`))
        results[phase] = await Promise.all(workers.map((w) => w.waitFor((m) => m.type === "result" && m.phase === phase, `result ${phase}`)))
      }
      await Promise.all(workers.map((w) => w.waitFor((m) => m.type === "done", "done")))
      expect(await Promise.all(workers.map((w) => w.exited))).toEqual([0, 0])

      if (process.env.LEDGER_DEBUG) console.log(JSON.stringify(Object.fromEntries(Object.entries(results).map(([p, r]) => [p, r.map((m) => ({ ms: m.ms, ok: m.ids?.length ?? m.count, codes: m.codes?.length }))]))))
      // (a) exactly 10 of the 40 debits succeed, across both processes
      const [da, db_] = results.debit
      expect(da.ids.length + db_.ids.length).toBe(10)
      expect([...da.codes, ...db_.codes].every((c: string) => c === "insufficient_funds")).toBe(true)
      expect(da.codes.length + db_.codes.length).toBe(30)
      expect(await service.getAccount(shared.id)).toMatchObject({ balance: "0.00", held: "0.00" })
      const lots = (await service.listLots(shared.id, { status: "all" })).lots
      expect(lots.map((l) => [l.remaining, l.status])).toEqual(Array(10).fill(["0.00", "used"]))

      // (b) the sales account's cached balance is the sum of its entries and of what was sent
      const [ca, cb] = results.credit
      expect(ca.count + cb.count).toBe(2 * 4 * 60)
      const sentCents = 2 * 4 * creditAmounts.reduce((s, a) => s + Math.round(Number(a) * 100), 0)
      const { rows } = await db.raw(
        `SELECT ledger_balance(a.id)::text AS balance, (SELECT sum(e.amount) FROM ledger_entry e WHERE e.account_id = a.id)::text AS entries
           FROM ledger_account a WHERE a.id = ?`,
        [SALES]
      )
      expect(Number(rows[0].balance)).toBe(Number(rows[0].entries))
      // sales received: its balance before, the 10 debits of (a), the credits of (b), the 25 keyed payments of (c)
      expect(Math.round(Number(rows[0].balance) * 100)).toBe(Math.round(salesBefore * 100) + 100_00 + sentCents + 25_00)

      // (c) one transfer per key, and both processes got that same transfer back
      const [ka, kb] = results.keyed
      for (const key of keys) {
        expect({ key, a: "id" in ka.byKey[key] }).toEqual({ key, a: true })
        expect({ key, b: "id" in kb.byKey[key] }).toEqual({ key, b: true })
        expect({ key, same: ka.byKey[key].id === kb.byKey[key].id }).toEqual({ key, same: true })
        expect({ key, firsts: [ka.byKey[key].replayed, kb.byKey[key].replayed].filter((r) => !r).length }).toEqual({ key, firsts: 1 })
      }
      const keyedRows = await db.raw(`SELECT idempotency_key, count(*)::int AS n FROM ledger_transfer WHERE idempotency_key LIKE 'checkout-%' GROUP BY 1`)
      expect(keyedRows.rows).toHaveLength(25)
      expect(keyedRows.rows.every((r: any) => r.n === 1)).toBe(true)
      expect(Number((await service.getAccount(keyed.id)).balance)).toBe(75)

      const v = await service.verify()
      expect(v.checks.filter((c) => !c.ok)).toEqual([])
      expect(v.ok).toBe(true)
    } finally {
      workers.forEach((w) => w.kill())
    }
  })
})
