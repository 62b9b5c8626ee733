import type { AuthenticatedMedusaRequest } from "@medusajs/framework/http"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { LEDGER_MODULE } from "../../../modules/ledger"
import { LedgerError } from "../../../modules/ledger/errors"
import type LedgerModuleService from "../../../modules/ledger/service"
import { serializeAccount } from "../../utils/serialize"

/**
 * The accounts the logged-in customer may see: the ones they own and the ones they are a
 * member of. Core accounts never; code-only accounts have no customer, so never either.
 */
export function customerAccountsFilter(req: AuthenticatedMedusaRequest) {
  const customer_id = req.auth_context.actor_id
  return { role: null, $or: [{ customer_id }, { members: { customer_id } }] }
}

/** Query fields plus the owner id, which is only read to tell `is_owner`. */
export function fieldsWithOwner(fields: string[]) {
  return [...new Set([...fields, "customer_id"])]
}

/** An account as a shopper sees it: money as exact decimal strings, `available`, `is_owner`, the code grouped. */
export function presentStoreAccount(req: AuthenticatedMedusaRequest, row: Record<string, any>) {
  const { customer_id, ...rest } = row
  const account: Record<string, any> = serializeAccount(rest)
  if ("code" in account) {
    account.code = req.scope.resolve<LedgerModuleService>(LEDGER_MODULE).formatCode(account.code)
  }
  account.is_owner = customer_id === req.auth_context.actor_id
  return account
}

/**
 * One of the customer's accounts through Query. Someone else's, a code-only or a core
 * account reads exactly like a missing one: 404 not_found.
 */
export async function retrieveCustomerAccount(req: AuthenticatedMedusaRequest, id: string, fields: string[]) {
  const query = req.scope.resolve(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({
    entity: "ledger_account",
    fields: fieldsWithOwner(fields),
    filters: { id, ...customerAccountsFilter(req) } as any,
  })
  if (!data.length) {
    throw new LedgerError("not_found", `Account ${id} not found`)
  }
  return presentStoreAccount(req, data[0])
}
