import {
  ContainerRegistrationKeys,
  Modules,
  ModulesSdkUtils,
  isSharedConnectionSymbol,
} from "@medusajs/framework/utils"
import { MikroORM } from "@medusajs/framework/mikro-orm/postgresql"
import { MockEventBusService, TestDatabaseUtils, initModules } from "@medusajs/test-utils"
import path from "path"
import type { LedgerModuleOptions } from "../../src/modules/ledger/options"
import type LedgerModuleService from "../../src/modules/ledger/service"

const LEDGER_MODULE_PATH = path.join(__dirname, "../../src/modules/ledger")
const LEDGER_MIGRATIONS = path.join(LEDGER_MODULE_PATH, "migrations")

/** Creates the database if needed and applies the ledger's migrations (only those). */
export async function migrateLedger(dbUrl: string) {
  const orm = await MikroORM.init({
    ...TestDatabaseUtils.getMikroOrmConfig({
      mikroOrmEntities: [],
      pathToMigrations: LEDGER_MIGRATIONS,
      clientUrl: dbUrl,
      schema: "public",
    }),
    discovery: { warnWhenNoEntities: false },
  } as any)
  try {
    await orm.getSchemaGenerator().ensureDatabase()
    await orm.getMigrator().up()
  } finally {
    await orm.close(true)
  }
}

/**
 * One module loaded alone on a shared connection, as a separate server process would load
 * it: for tests that run a second instance against the same database.
 */
export async function loadStandaloneModule<T>(dbUrl: string, key: string, resolve: string, options: Record<string, unknown>, poolMax = 20) {
  const db = ModulesSdkUtils.createPgConnection({ clientUrl: dbUrl, schema: "public", pool: { min: 0, max: poolMax } })
  const modulesConfig = {
    [key]: {
      resolve,
      options: { database: { clientUrl: dbUrl, schema: "public" }, ...options, [isSharedConnectionSymbol]: true },
    },
  }
  const { medusaApp, shutdown } = await initModules({
    injectedDependencies: {
      [ContainerRegistrationKeys.PG_CONNECTION]: db,
      [Modules.EVENT_BUS]: new MockEventBusService(),
      [ContainerRegistrationKeys.LOGGER]: console,
      [ContainerRegistrationKeys.CONFIG_MODULE]: { modules: modulesConfig },
    },
    databaseConfig: { clientUrl: dbUrl, schema: "public" },
    modulesConfig: modulesConfig as any,
    preventConnectionDestroyWarning: true,
  })
  return {
    service: medusaApp.modules[key] as T,
    db,
    shutdown: async () => {
      await shutdown()
      await db.destroy()
    },
  }
}

/**
 * Loads the ledger module alone, the way Medusa loads it in an app, against `dbUrl`.
 * Used where a test or the bench needs it outside jest's runner (other processes).
 */
export async function loadLedger(
  dbUrl: string,
  { options = {}, poolMax = 20 }: { options?: LedgerModuleOptions; poolMax?: number } = {}
) {
  return loadStandaloneModule<LedgerModuleService>(dbUrl, "ledger", LEDGER_MODULE_PATH, options, poolMax)
}
