import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { spawn } from "child_process"
import path from "path"
import type LedgerModuleService from "../../src/modules/ledger/service"
import closeExpiredLedgerAccounts, { config } from "../../src/jobs/close-expired-accounts"
import { closeExpiredAccountsWorkflow } from "../../src/workflows/close-expired-accounts"

jest.setTimeout(240000)

const ROOT = path.join(__dirname, "../..")
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** `npx medusa exec` of the CLI script as its own process; resolves with its stdout. */
function runCli(databaseUrl: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = ""
    const child = spawn(process.execPath, [require.resolve("@medusajs/cli/cli.js"), "exec", "./src/scripts/close-expired-accounts.ts"], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: databaseUrl, NODE_ENV: "development", LOG_LEVEL: "error", JEST_WORKER_ID: "" },
      stdio: ["ignore", "pipe", "pipe"],
    })
    child.stdout.on("data", (d) => (out += d))
    child.stderr.on("data", (d) => (out += d))
    child.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}: ${out.slice(-2000)}`))))
  })
}

medusaIntegrationTestRunner({
  testSuite: ({ getContainer, dbConfig }) => {
    let ledger: LedgerModuleService

    beforeEach(() => {
      ledger = getContainer().resolve("ledger")
    })

    afterEach(async () => {
      expect((await ledger.verify()).checks.filter((c) => !c.ok)).toEqual([])
    })

    /** An account funded now whose end date passes a moment later. */
    const expiring = async (amount: number) => {
      const account = await ledger.createAccount({
        name: "Expiring",
        currency_code: "usd",
        end_date: new Date(Date.now() + 1200),
        initial_amount: amount,
      })
      return account
    }

    it("runs daily by default", () => {
      expect(config).toEqual({ name: "ledger-close-expired-accounts", schedule: "0 3 * * *" })
    })

    it("moves expired balances to Lapsed once, even with the job running twice at once", async () => {
      const container = getContainer()
      const a = await expiring(30)
      const b = await expiring(12.5)
      const openEnded = await ledger.createAccount({ name: "Open", currency_code: "usd", initial_amount: 40 })
      const hold = await ledger.hold(openEnded.id, 10, { expires_at: new Date(Date.now() + 1200) })
      await sleep(1500)

      const [one, two] = await Promise.all([
        closeExpiredLedgerAccounts(container),
        closeExpiredAccountsWorkflow(container).run().then((r) => r.result),
      ])
      expect([...one.closed, ...two.closed].sort()).toEqual([a.id, b.id].sort())
      // Both runs may report the hold (the second finds it already expired); it expires once.
      expect([...new Set([...one.released_holds, ...two.released_holds])]).toEqual([hold.id])
      expect((await ledger.listLedgerHolds({ id: hold.id }))[0].status).toBe("expired")
      expect((await ledger.getCoreAccount("lapsed", "usd")).balance).toBe(42.5)
      for (const id of [a.id, b.id]) {
        const account = await ledger.getAccount(id)
        expect([account.status, account.balance]).toEqual(["closed", 0])
        expect(await ledger.listLedgerTransfers({ source_id: id, kind: "expiry" })).toHaveLength(1)
      }
      const untouched = await ledger.getAccount(openEnded.id)
      expect([untouched.status, untouched.balance, untouched.held]).toEqual(["open", 40, 0])

      const again = await closeExpiredLedgerAccounts(container)
      expect(again).toEqual({ closed: [], skipped_negative: [], released_holds: [] })
      expect((await ledger.getCoreAccount("lapsed", "usd")).balance).toBe(42.5)
    })

    it("runs from the command line with medusa exec", async () => {
      const account = await expiring(7)
      await sleep(1500)
      const out = await runCli(dbConfig.clientUrl)
      const result = JSON.parse(out.trim().split("\n").filter((l) => l.startsWith("{")).pop()!)
      expect(result.closed).toEqual([account.id])
      expect((await ledger.getAccount(account.id)).status).toBe("closed")
      expect((await ledger.getCoreAccount("lapsed", "usd")).balance).toBe(7)
    })
  },
})
