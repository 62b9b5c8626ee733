import { ContainerRegistrationKeys, Modules, ModulesSdkUtils } from "@medusajs/framework/utils"
import { TestDatabaseUtils, moduleIntegrationTestRunner } from "@medusajs/test-utils"
import path from "path"
import type { LedgerModuleOptions } from "../../src/modules/ledger/options"
import type LedgerModuleService from "../../src/modules/ledger/service"

export const LEDGER_MODULE_PATH = path.join(__dirname, "../../src/modules/ledger")
export const LEDGER_MIGRATIONS = path.join(LEDGER_MODULE_PATH, "migrations")

/** The event bus the suites give the module: keeps every message emitted, in order. */
export class RecordingEventBus {
  messages: { name: string; data: any }[] = []
  async emit(messages: { name: string; data: any } | { name: string; data: any }[]) {
    this.messages.push(...(Array.isArray(messages) ? messages : [messages]))
  }
  async releaseGroupedEvents() {}
  async clearGroupedEvents() {}
  subscribe() {
    return this
  }
  unsubscribe() {
    return this
  }
  named(name: string) {
    return this.messages.filter((m) => m.name === name)
  }
  clear() {
    this.messages = []
  }
}

type SuiteArgs = {
  service: LedgerModuleService
  /** What the module emitted (cleared by the test when it needs to). */
  events: RecordingEventBus
  /** A direct connection (knex) to the suite's database, for assertions and tampering tests. */
  db: ReturnType<typeof ModulesSdkUtils.createPgConnection>
  dbUrl: string
}

/**
 * Boots the ledger module alone on a fresh, migrated database per test (Medusa's module
 * test runner), with a connection pool large enough for the race tests.
 */
export function ledgerModuleSuite(
  name: string,
  suite: (args: SuiteArgs) => void,
  options: LedgerModuleOptions = { currencies: ["usd"] }
) {
  // LEDGER_TEST_GROUP_POSTING=1/0 runs a suite with group posting on/off whatever its default.
  const group = process.env.LEDGER_TEST_GROUP_POSTING
  if (group === "1" || group === "0") {
    options = { ...options, groupPosting: options.groupPosting ?? group === "1" }
  }
  const worker = process.env.JEST_WORKER_ID ?? "1"
  // LEDGER_TEST_DB_PREFIX keeps runs from two checkouts on one server apart.
  const dbName = `${process.env.LEDGER_TEST_DB_PREFIX ?? ""}ledger-mod-${name}-${worker}`
  const dbUrl = TestDatabaseUtils.getDatabaseURL(dbName)
  const db = ModulesSdkUtils.createPgConnection({ clientUrl: dbUrl, schema: "public", pool: { min: 0, max: 48 } })
  const events = new RecordingEventBus()
  afterAll(async () => {
    await db.destroy()
  })
  moduleIntegrationTestRunner<LedgerModuleService>({
    moduleName: "ledger",
    dbName,
    resolve: LEDGER_MODULE_PATH,
    pathToMigrations: LEDGER_MIGRATIONS,
    moduleOptions: options,
    injectedDependencies: { [ContainerRegistrationKeys.PG_CONNECTION]: db, [Modules.EVENT_BUS]: events },
    testSuite: ({ service }) => suite({ service, db, dbUrl, events }),
  })
}

/** Asserts that the promise fails with this ledger error code. */
export async function expectCode(promise: Promise<unknown>, code: string) {
  let error: any
  try {
    await promise
  } catch (e) {
    error = e
  }
  if (!error) {
    throw new Error(`expected ledger error ${code}, but the call succeeded`)
  }
  if (error.code !== code) {
    throw new Error(`expected ledger error ${code}, got ${error.code}: ${error.message}`)
  }
  return error
}
