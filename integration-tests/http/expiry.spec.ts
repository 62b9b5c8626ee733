import { WorkflowManager } from "@medusajs/framework/orchestration"
import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { spawn } from "child_process"
import path from "path"
import type LedgerModuleService from "../../src/modules/ledger/service"
import closeExpiredLedgerAccounts from "../../src/jobs/close-expired-accounts"
import { closeExpiredAccountsWorkflow } from "../../src/workflows/close-expired-accounts"

jest.setTimeout(240000)

const ROOT = path.join(__dirname, "../..")
const JOB = "../../src/jobs/close-expired-accounts"
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
// End dates this far ahead leave time to fund the account while it is still active.
const WINDOW_MS = 1500

/** `npx medusa exec` of the CLI script as its own process, on the test database; resolves with its stdout. */
function runCli(databaseUrl: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = ""
    let err = ""
    const child = spawn(process.execPath, [require.resolve("@medusajs/cli/cli.js"), "exec", "./src/scripts/close-expired-accounts.ts"], {
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        NODE_ENV: "development",
        MEDUSA_DISABLE_TELEMETRY: "true",
        LOG_LEVEL: "error",
        JEST_WORKER_ID: "",
      },
      stdio: ["ignore", "pipe", "pipe"],
    })
    child.stdout.on("data", (d) => (out += d))
    child.stderr.on("data", (d) => (err += d))
    child.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}: ${(out + err).slice(-2000)}`))))
  })
}

/** The job's config as it would load with `env` set (the job reads it at import time). */
function configWith(env: Record<string, string | undefined>) {
  const saved = { ...process.env }
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[key]
    else process.env[key] = value
  }
  try {
    let config: { name: string; schedule: string } | undefined
    jest.isolateModules(() => {
      jest.doMock("../../src/workflows/close-expired-accounts", () => ({}))
      config = require(JOB).config
    })
    return config!
  } finally {
    process.env = saved
  }
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

    /** Funded by a top-up while active; its end date passes WINDOW_MS later. */
    const expiring = async (amount: number) => {
      const account = await ledger.createAccount({ name: "Expiring", currency_code: "usd", end_date: new Date(Date.now() + WINDOW_MS) })
      await ledger.topUp(account.id, amount)
      return account
    }

    /** Two expiring accounts, an untouched open-ended one, and an open-ended one with a hold that expires. */
    const seed = async () => {
      const a = await expiring(30)
      const b = await expiring(12.5)
      const openEnded = await ledger.createAccount({ name: "Open", currency_code: "usd", initial_amount: 40 })
      const heldAccount = await ledger.createAccount({ name: "Held", currency_code: "usd", initial_amount: 25 })
      const hold = await ledger.hold(heldAccount.id, 10, { expires_at: new Date(Date.now() + WINDOW_MS) })
      expect(Number((await ledger.getAccount(a.id)).balance)).toBe(30)
      await sleep(WINDOW_MS + 300)
      return { expired: [a.id, b.id], openEnded, heldAccount, hold }
    }

    /** Every expectation of one sweep, however many runs raced to do it. */
    const expectSweptOnce = async ({ expired, openEnded, heldAccount, hold }: Awaited<ReturnType<typeof seed>>) => {
      const lapsed = await ledger.getCoreAccount("lapsed", "usd")
      expect(Number(lapsed.balance)).toBe(42.5)
      expect(await ledger.listLedgerTransfers({ destination_id: lapsed.id, kind: "expiry" })).toHaveLength(2)
      for (const id of expired) {
        const account = await ledger.getAccount(id)
        expect([account.status, account.balance]).toEqual(["closed", "0.00"])
        expect(await ledger.listLedgerTransfers({ source_id: id, kind: "expiry" })).toHaveLength(1)
      }
      const untouched = await ledger.getAccount(openEnded.id)
      expect([untouched.status, untouched.balance, untouched.held]).toEqual(["open", "40.00", "0.00"])
      const released = await ledger.getAccount(heldAccount.id)
      expect([released.status, released.balance, released.held, released.available]).toEqual(["open", "25.00", "0.00", "25.00"])
      expect((await ledger.listLedgerHolds({ id: hold.id }))[0].status).toBe("expired")
    }

    it("runs daily by default, LEDGER_EXPIRY_SCHEDULE changes it, and the app registers it", () => {
      expect(configWith({ LEDGER_EXPIRY_SCHEDULE: undefined })).toEqual({ name: "ledger-close-expired-accounts", schedule: "0 3 * * *" })
      expect(configWith({ LEDGER_EXPIRY_SCHEDULE: "*/15 * * * *" }).schedule).toBe("*/15 * * * *")
      // Medusa's job loader turns each job into a scheduled workflow named job-<name>.
      const registered = WorkflowManager.getWorkflow("job-ledger-close-expired-accounts")
      expect(registered?.options.schedule).toMatchObject({ cron: "0 3 * * *" })
    })

    it("moves expired balances to Lapsed once with the job run twice at once", async () => {
      const seeded = await seed()
      const runs = await Promise.all([closeExpiredLedgerAccounts(getContainer()), closeExpiredLedgerAccounts(getContainer())])
      // Each account is closed by exactly one of the runs.
      expect(runs.flatMap((r) => r.closed).sort()).toEqual([...seeded.expired].sort())
      // Releasing is idempotent: a run that finds the hold already expired reports it too.
      expect([...new Set(runs.flatMap((r) => r.released_holds))]).toEqual([seeded.hold.id])
      await expectSweptOnce(seeded)

      expect(await closeExpiredLedgerAccounts(getContainer())).toEqual({ closed: [], skipped_negative: [], released_holds: [], kept_for_holds: [], lapsed_credit: [], expiring_credit: [] })
      await expectSweptOnce(seeded)
    })

    it("moves expired balances to Lapsed once with the workflow run twice at once", async () => {
      const seeded = await seed()
      const runs = await Promise.all([1, 2].map(() => closeExpiredAccountsWorkflow(getContainer()).run()))
      expect(runs.flatMap((r) => r.result.closed).sort()).toEqual([...seeded.expired].sort())
      await expectSweptOnce(seeded)
    })

    it("lapses expired lots of credit once, with the job run twice at once, keeps the account open and says so", async () => {
      const wallet = await ledger.createAccount({ name: "Points", currency_code: "usd", customer_id: "cus_points", initial_amount: 5 })
      await ledger.topUp(wallet.id, 12, { expires_at: new Date(Date.now() + WINDOW_MS) })
      await ledger.topUp(wallet.id, 8, { expires_at: new Date(Date.now() + 3 * 86_400_000) })
      await sleep(WINDOW_MS + 300)
      const lapsed = await ledger.getCoreAccount("lapsed", "usd")
      const runs = await Promise.all([closeExpiredLedgerAccounts(getContainer()), closeExpiredLedgerAccounts(getContainer())])
      expect(runs.flatMap((r) => r.lapsed_credit)).toEqual([
        { account_id: wallet.id, amount: "12.00", currency_code: "usd", transfer_id: expect.any(String) },
      ])
      // the 8 expiring in 3 days is announced once, whichever run saw it
      expect(runs.flatMap((r) => r.expiring_credit)).toEqual([
        expect.objectContaining({ account_id: wallet.id, customer_id: "cus_points", amount: "8.00" }),
      ])
      expect(await ledger.getAccount(wallet.id)).toMatchObject({ status: "open", balance: "13.00" })
      expect(Number((await ledger.getCoreAccount("lapsed", "usd")).balance) - Number(lapsed.balance)).toBe(12)
      expect(await ledger.listLedgerTransfers({ source_id: wallet.id, kind: "expiry" })).toHaveLength(1)
      const again = await closeExpiredLedgerAccounts(getContainer())
      expect([again.lapsed_credit, again.expiring_credit]).toEqual([[], []])
    })

    it("leaves an expired account with a negative balance open and reports it", async () => {
      const account = await ledger.createAccount({
        name: "B2B",
        currency_code: "usd",
        credit_limit: 20,
        end_date: new Date(Date.now() + WINDOW_MS),
      })
      await ledger.redeem(account.id, 5)
      await sleep(WINDOW_MS + 300)
      const result = await closeExpiredLedgerAccounts(getContainer())
      expect(result).toEqual({ closed: [], skipped_negative: [account.id], released_holds: [], kept_for_holds: [], lapsed_credit: [], expiring_credit: [] })
      const after = await ledger.getAccount(account.id)
      expect([after.status, after.balance]).toEqual(["open", "-5.00"])
    })

    it("runs from the command line with medusa exec, printing the result as JSON", async () => {
      const account = await expiring(7)
      const open = await ledger.createAccount({ name: "Open", currency_code: "usd", initial_amount: 3 })
      await sleep(WINDOW_MS + 300)
      const started = Date.now()
      const out = await runCli(dbConfig.clientUrl)
      const elapsed = Date.now() - started
      // LOG_LEVEL=error silences Medusa's own lines: stdout is the result alone.
      expect(JSON.parse(out.trim())).toEqual({ closed: [account.id], skipped_negative: [], released_holds: [], kept_for_holds: [], lapsed_credit: [], expiring_credit: [] })
      const lapsed = await ledger.getCoreAccount("lapsed", "usd")
      expect(Number(lapsed.balance)).toBe(7)
      expect(await ledger.listLedgerTransfers({ source_id: account.id, destination_id: lapsed.id, kind: "expiry" })).toHaveLength(1)
      expect((await ledger.getAccount(account.id)).status).toBe("closed")
      expect(Number((await ledger.getAccount(open.id)).balance)).toBe(3)
      // A second CLI run finds nothing left to do.
      expect(JSON.parse((await runCli(dbConfig.clientUrl)).trim())).toEqual({ closed: [], skipped_negative: [], released_holds: [], kept_for_holds: [], lapsed_credit: [], expiring_credit: [] })
      expect(Number((await ledger.getCoreAccount("lapsed", "usd")).balance)).toBe(7)
      console.info(`medusa exec close-expired-accounts: ${elapsed} ms`)
    })
  },
})
