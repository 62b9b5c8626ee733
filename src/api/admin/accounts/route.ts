import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { AccountSearch, AccountSort, isEntityId } from "../../../modules/ledger/admin-reads"
import { LEDGER_MODULE } from "../../../modules/ledger"
import { normalizeCode } from "../../../modules/ledger/codes"
import type LedgerModuleService from "../../../modules/ledger/service"
import { createLedgerAccountWorkflow } from "../../../workflows"
import { actorOf, idempotencyKeyOf } from "../../utils/actor"
import { customerIdsByEmail, queryFieldsOf, wantedExtras } from "../../utils/admin-extras"
import { CSV_MAX_ROWS, CsvColumn, sendCsv } from "../../utils/csv"
import { ledgerRoute } from "../../utils/ledger-route"
import { listAdminAccountsQueryConfig, retrieveAdminAccountQueryConfig } from "./query-config"
import { ACCOUNT_EXTRAS, accountsByIds, retrieveAccount, withAccountExtras } from "./helpers"
import type { AdminCreateAccountType, AdminGetAccountsParamsType } from "./validators"

const asList = <T>(v: T | T[] | undefined) => (v === undefined ? undefined : Array.isArray(v) ? v : [v])

const CSV_COLUMNS: CsvColumn<Record<string, any>>[] = [
  ["id", (a) => a.id],
  ["name", (a) => a.name],
  ["code", (a) => a.code],
  ["type", (a) => a.type?.name],
  ["status", (a) => a.status],
  ["currency_code", (a) => a.currency_code],
  ["balance", (a) => a.balance],
  ["held", (a) => a.held],
  ["available", (a) => a.available],
  ["credit_limit", (a) => a.credit_limit],
  ["transfer_count", (a) => (a.transfer_count_capped ? `${a.transfer_count}+` : a.transfer_count)],
  ["initial_amount", (a) => a.initial_amount],
  ["issued_by_order_id", (a) => a.issued_by_order_id],
  ["customer_id", (a) => a.customer_id],
  ["customer_email", (a) => a.customer?.email],
  ["customer_name", (a) => [a.customer?.first_name, a.customer?.last_name].filter(Boolean).join(" ")],
  ["start_date", (a) => a.start_date],
  ["end_date", (a) => a.end_date],
  ["closed_at", (a) => a.closed_at],
  ["created_at", (a) => a.created_at],
]

/**
 * The accounts list: search, filters and sorting run as one SQL statement in the ledger
 * (searchAccounts), the page is then read through Query with the requested fields, and
 * the computed fields are added for the whole page at once. `format=csv` sends every
 * matching account (up to CSV_MAX_ROWS) as a CSV attachment.
 */
export const GET = ledgerRoute(
  async (req: AuthenticatedMedusaRequest<unknown, AdminGetAccountsParamsType>, res: MedusaResponse) => {
    const v = req.validatedQuery as AdminGetAccountsParamsType
    const ledger = req.scope.resolve<LedgerModuleService>(LEDGER_MODULE)
    const search: AccountSearch = {
      q: v.q,
      id: asList(v.id),
      code: v.code ? normalizeCode(v.code) : undefined,
      status: asList(v.status),
      currency_code: asList(v.currency_code)?.map((c) => c.toLowerCase()),
      type_ids: asList(v.account_type_id),
      is_gift_card: v.is_gift_card,
      is_core: v.is_core,
      customer_id: v.customer_id,
      has_balance: v.has_balance,
      ends_before: v.ends_before,
      created_at: v.created_at,
      updated_at: v.updated_at,
    }
    if (v.q?.trim() && !isEntityId(v.q.trim())) {
      search.q_customer_ids = await customerIdsByEmail(req, v.q.trim())
    }
    const csv = v.format === "csv"
    const limit = csv ? CSV_MAX_ROWS : v.limit
    const offset = csv ? 0 : v.offset
    const order = v.order ? { field: v.order.replace(/^-/, "") as AccountSort, desc: v.order.startsWith("-") } : undefined
    const { ids, count } = await ledger.searchAccounts(search, { order, limit, offset })

    const wanted = csv ? new Set(ACCOUNT_EXTRAS) : wantedExtras(req, ACCOUNT_EXTRAS)
    const fields = csv ? [...listAdminAccountsQueryConfig.defaults] : queryFieldsOf(req, ACCOUNT_EXTRAS)
    if (wanted.has("customer") && !fields.includes("customer_id")) fields.push("customer_id")
    const accounts = await withAccountExtras(req, await accountsByIds(req, ids, fields), wanted)
    if (csv) {
      return sendCsv(res, "accounts", CSV_COLUMNS, accounts, count)
    }
    res.json({ accounts, count, limit, offset })
  }
)

export const POST = ledgerRoute(
  async (req: AuthenticatedMedusaRequest<AdminCreateAccountType>, res: MedusaResponse) => {
    const { account_type_id, idempotency_key, ...body } = req.validatedBody
    const { result } = await createLedgerAccountWorkflow(req.scope).run({
      input: {
        account: { ...body, type_id: account_type_id },
        options: { actor: actorOf(req), idempotency_key: idempotencyKeyOf(req, { idempotency_key }) },
      },
    })
    const account = await retrieveAccount(req, result.id, retrieveAdminAccountQueryConfig.defaults)
    res.status(200).json({ account })
  }
)
