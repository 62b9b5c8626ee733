import type { MedusaRequest } from "@medusajs/framework/http"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { LEDGER_MODULE } from "../../../modules/ledger"
import { LedgerError } from "../../../modules/ledger/errors"
import type LedgerModuleService from "../../../modules/ledger/service"
import { customersById, queryFieldsOf, wantedExtras } from "../../utils/admin-extras"
import { serializeAccount } from "../../utils/serialize"

/**
 * What the admin API adds to an account besides its columns (all by default, see
 * wantedExtras): `available` (balance + credit limit − held), `transfer_count` (with
 * `transfer_count_capped` when it stopped counting at TRANSFER_COUNT_CAP), the owner
 * `customer` ({ id, email, first_name, last_name }), and for customer accounts
 * `initial_amount` (what it was first loaded with) and `issued_by_order_id`.
 */
export const ACCOUNT_EXTRAS = ["available", "transfer_count", "customer", "initial_amount", "issued_by_order_id"] as const
export type AccountExtra = (typeof ACCOUNT_EXTRAS)[number]

/**
 * Accounts read through Query as the admin API shows them: money as numbers, `available`,
 * and the live balance of core accounts (whose rows hold only part of it).
 */
export async function presentAccounts(req: MedusaRequest, rows: Record<string, any>[]) {
  const core = rows.filter((r) => "balance" in r && String(r.id).startsWith("acc_sys_")).map((r) => r.id)
  const live = core.length ? await req.scope.resolve<LedgerModuleService>(LEDGER_MODULE).getBalances(core) : {}
  return rows.map((r) => serializeAccount(r.id in live ? { ...r, balance: live[r.id] } : r))
}

/**
 * Adds the wanted extras to presented accounts: one query for the transfer counts and the
 * first loads of the whole page, one for its owners in the customer module.
 */
export async function withAccountExtras(req: MedusaRequest, accounts: Record<string, any>[], wanted: Set<AccountExtra>) {
  if (!accounts.length) {
    return accounts
  }
  const ledger = req.scope.resolve<LedgerModuleService>(LEDGER_MODULE)
  const summaries =
    wanted.has("transfer_count") || wanted.has("initial_amount") || wanted.has("issued_by_order_id")
      ? await ledger.accountSummaries(
          accounts.map((a) => a.id),
          { transfer_count: wanted.has("transfer_count"), initial_load: wanted.has("initial_amount") || wanted.has("issued_by_order_id") }
        )
      : {}
  const customers = wanted.has("customer") ? await customersById(req, accounts.map((a) => a.customer_id)) : new Map()
  return accounts.map((a) => {
    const out: Record<string, any> = { ...a }
    if (!wanted.has("available")) delete out.available
    const s = summaries[a.id] ?? {}
    if (wanted.has("transfer_count")) {
      out.transfer_count = s.transfer_count ?? 0
      out.transfer_count_capped = s.transfer_count_capped ?? false
    }
    if (wanted.has("initial_amount")) out.initial_amount = s.initial_amount ?? null
    if (wanted.has("issued_by_order_id")) out.issued_by_order_id = s.issued_by_order_id ?? null
    if (wanted.has("customer")) out.customer = (a.customer_id && customers.get(a.customer_id)) || null
    return out
  })
}

/** The accounts with these ids, in this order, through Query with `fields`, presented. */
export async function accountsByIds(req: MedusaRequest, ids: string[], fields: string[]) {
  if (!ids.length) {
    return []
  }
  const query = req.scope.resolve(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({
    entity: "ledger_account",
    fields,
    filters: { id: ids },
    pagination: { skip: 0, take: ids.length },
  })
  const byId = new Map(data.map((r: any) => [r.id, r]))
  return presentAccounts(req, ids.map((id) => byId.get(id)).filter(Boolean) as Record<string, any>[])
}

/** One account through Query, as the admin API shows it; 404 when unknown. */
export async function retrieveAccount(req: MedusaRequest, id: string, fields?: string[]) {
  const query = req.scope.resolve(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({
    entity: "ledger_account",
    fields: fields ?? queryFieldsOf(req, ACCOUNT_EXTRAS),
    filters: { id },
  })
  if (!data.length) {
    throw new LedgerError("not_found", `Account ${id} not found`)
  }
  const [account] = await presentAccounts(req, data)
  return account
}

/** One account with the extras the request wants (see ACCOUNT_EXTRAS). */
export async function retrieveAccountWithExtras(req: MedusaRequest, id: string) {
  const wanted = wantedExtras(req, ACCOUNT_EXTRAS)
  const fields = queryFieldsOf(req, ACCOUNT_EXTRAS)
  if (wanted.has("customer") && !fields.includes("customer_id")) fields.push("customer_id")
  const [account] = await withAccountExtras(req, [await retrieveAccount(req, id, fields)], wanted)
  return account
}
