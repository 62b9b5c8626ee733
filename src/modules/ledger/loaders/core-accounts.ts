import { LoaderOptions } from "@medusajs/framework/types"
import { ensureCoreAccounts } from "../core-accounts"
import { LedgerModuleOptions, resolveOptions } from "../options"

/**
 * At start-up: the default account types and the core accounts of the configured
 * currencies. Skipped quietly before the ledger's migrations have run (e.g. during
 * `medusa db:migrate` itself); other currencies get theirs on first use.
 */
export default async function coreAccountsLoader({
  container,
  options,
}: LoaderOptions<LedgerModuleOptions>) {
  const resolved = resolveOptions(options ?? {})
  const manager = container.resolve("manager") as {
    execute: (sql: string, params?: unknown[]) => Promise<any[]>
  }
  const [{ ready }] = await manager.execute(
    `SELECT to_regclass('ledger_account') IS NOT NULL
        AND to_regprocedure('ledger_post(text,text,text,text,text,numeric,text,text,text,text,text,text,text,jsonb,text,text,numeric,timestamptz)') IS NOT NULL AS ready`
  )
  if (!ready) {
    return
  }
  await ensureCoreAccounts((sql, params) => manager.execute(sql, params), resolved.currencies, resolved.accountNames)
}
