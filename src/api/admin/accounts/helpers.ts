import type { MedusaRequest } from "@medusajs/framework/http"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { LEDGER_MODULE } from "../../../modules/ledger"
import { LedgerError } from "../../../modules/ledger/errors"
import type LedgerModuleService from "../../../modules/ledger/service"
import { serializeAccount } from "../../utils/serialize"

/**
 * Accounts read through Query as the admin API shows them: money as numbers, `available`,
 * and the live balance of core accounts (whose rows hold only part of it).
 */
export async function presentAccounts(req: MedusaRequest, rows: Record<string, any>[]) {
  const core = rows.filter((r) => "balance" in r && String(r.id).startsWith("acc_sys_")).map((r) => r.id)
  const live = core.length ? await req.scope.resolve<LedgerModuleService>(LEDGER_MODULE).getBalances(core) : {}
  return rows.map((r) => serializeAccount(r.id in live ? { ...r, balance: live[r.id] } : r))
}

/** One account through Query, as the admin API shows it; 404 when unknown. */
export async function retrieveAccount(req: MedusaRequest, id: string, fields?: string[]) {
  const query = req.scope.resolve(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({
    entity: "ledger_account",
    fields: fields ?? req.queryConfig?.fields,
    filters: { id },
  })
  if (!data.length) {
    throw new LedgerError("not_found", `Account ${id} not found`)
  }
  const [account] = await presentAccounts(req, data)
  return account
}
