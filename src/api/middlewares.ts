import { authenticate, defineMiddlewares } from "@medusajs/framework/http"
import type { MedusaRequest, MiddlewareRoute } from "@medusajs/framework/http"
import type { z } from "@medusajs/framework/zod"
import * as accountTypeQuery from "./admin/account-types/query-config"
import * as accountTypes from "./admin/account-types/validators"
import * as accountQuery from "./admin/accounts/query-config"
import * as accounts from "./admin/accounts/validators"
import * as transferQuery from "./admin/transfers/query-config"
import * as transfers from "./admin/transfers/validators"
import * as codeGuard from "./admin/ledger/code-guard/validators"
import * as reports from "./admin/ledger/reports/validators"
import { AdminGetReconciliation, AdminRunReconciliation } from "./admin/ledger/reconciliation/validators"
import { storeAccountRoutes } from "./store/accounts/middlewares"
import { AdminRefundOrderToAccount } from "./admin/orders/[id]/refund-to-account/validators"
import { AdminIssueStoreCredit } from "./admin/customers/[id]/store-credit/validators"
import { AdminPayOrderFromAccount } from "./admin/orders/[id]/pay-from-account/validators"
import { AdminBulkCredit } from "./admin/accounts/bulk-credit/validators"
import { StoreCreateAccountAllocation } from "./store/carts/[id]/account-allocations/validators"
import { guardAccountCode } from "./store/payment-collections/guard-account-code"
import { databaseGate } from "./utils/database-availability"
import { jsonBody, jsonBodyWithin, ledgerErrorHandler, validateBody, validateParams, validateQuery } from "./utils/input"
import { CodeSchema, INPUT_LIMITS, IdSchema } from "./utils/validators"
import { AdminImportCsv, AdminImportLoyalty, CSV_BODY_BYTES } from "./admin/ledger/imports/validators"

type Middleware = NonNullable<MiddlewareRoute["middlewares"]>[number]
type Params = Record<string, z.ZodTypeAny>

const ID: Params = { id: IdSchema }

/**
 * A route that writes: JSON only (Medusa's body parsers are off for it; jsonBody reads the
 * body itself with the plugin's limits), then the path parameters, then the body schema.
 */
export const writeRoute = (
  matcher: string,
  schema: z.ZodTypeAny,
  params?: Params,
  before: Middleware[] = []
): MiddlewareRoute => ({
  method: ["POST"],
  matcher,
  bodyParser: false,
  middlewares: [...before, jsonBody, ...(params ? [validateParams(params)] : []), validateBody(schema)],
})

/** A batch route: as writeRoute, with the larger body a batch of up to 1,000 items needs. */
export const batchRoute = (matcher: string, schema: z.ZodTypeAny): MiddlewareRoute => ({
  method: ["POST"],
  matcher,
  bodyParser: false,
  middlewares: [jsonBodyWithin(INPUT_LIMITS.batchBodyBytes), validateBody(schema)],
})

/** A route that reads: the path parameters, then the query schema. */
export const readRoute = (
  matcher: string,
  schema: z.ZodTypeAny | null,
  params?: Params,
  config?: Record<string, unknown>,
  before: Middleware[] = []
): MiddlewareRoute => ({
  method: ["GET"],
  matcher,
  middlewares: [...before, ...(params ? [validateParams(params)] : []), ...(schema ? [validateQuery(schema, config)] : [])],
})

const adminRoutes: MiddlewareRoute[] = [
  readRoute("/admin/accounts", accounts.AdminGetAccountsParams, undefined, accountQuery.listAdminAccountsQueryConfig),
  writeRoute("/admin/accounts", accounts.AdminCreateAccount),
  batchRoute("/admin/accounts/batch", accounts.AdminCreateAccountBatch),
  // Bulk credit from a merchant\'s file (issue 11 §1): per-row verdicts, dry run, atomic or not.
  batchRoute("/admin/accounts/bulk-credit", AdminBulkCredit),
  readRoute("/admin/accounts/code/:code", accounts.AdminGetAccountParams, { code: CodeSchema }, accountQuery.retrieveAdminAccountQueryConfig),
  writeRoute("/admin/accounts/code/:code/redemptions", accounts.AdminRedeemByCode, { code: CodeSchema }),
  writeRoute("/admin/accounts/code/:code/refunds", accounts.AdminRefundByCode, { code: CodeSchema }),
  readRoute("/admin/accounts/:id", accounts.AdminGetAccountParams, ID, accountQuery.retrieveAdminAccountQueryConfig),
  writeRoute("/admin/accounts/:id", accounts.AdminUpdateAccount, ID),
  writeRoute("/admin/accounts/:id/freeze", accounts.AdminAccountStatusChange, ID),
  writeRoute("/admin/accounts/:id/thaw", accounts.AdminAccountStatusChange, ID),
  writeRoute("/admin/accounts/:id/close", accounts.AdminAccountStatusChange, ID),
  writeRoute("/admin/accounts/:id/top-up", accounts.AdminTopUpAccount, ID),
  writeRoute("/admin/accounts/:id/withdraw", accounts.AdminWithdrawAccount, ID),
  readRoute("/admin/accounts/:id/entries", accounts.AdminGetAccountEntriesParams, ID),
  readRoute("/admin/accounts/:id/lots", accounts.AdminGetAccountLotsParams, ID),
  readRoute("/admin/transfers", transfers.AdminGetTransfersParams, undefined, transferQuery.listAdminTransfersQueryConfig),
  writeRoute("/admin/transfers", transfers.AdminCreateTransfer),
  batchRoute("/admin/transfers/batch", transfers.AdminPostTransferBatch),
  readRoute("/admin/transfers/:reference", transfers.AdminGetTransferParams, { reference: IdSchema }, transferQuery.retrieveAdminTransferQueryConfig),
  writeRoute("/admin/transfers/:reference/reverse", transfers.AdminReverseTransfer, { reference: IdSchema }),
  writeRoute("/admin/transfers/:reference/refunds", transfers.AdminRefundTransfer, { reference: IdSchema }),
  readRoute("/admin/account-types", accountTypes.AdminGetAccountTypesParams, undefined, accountTypeQuery.listAdminAccountTypesQueryConfig),
  writeRoute("/admin/account-types", accountTypes.AdminCreateAccountType),
  // For the admin pages: an account's orders, balance history and holds; renaming a type; the code guard.
  readRoute("/admin/accounts/:id/orders", accounts.AdminGetAccountOrdersParams, ID),
  readRoute("/admin/accounts/:id/balance-history", accounts.AdminGetBalanceHistoryParams, ID),
  readRoute("/admin/accounts/:id/holds", accounts.AdminGetAccountHoldsParams, ID),
  writeRoute("/admin/account-types/:id", accountTypes.AdminUpdateAccountType, ID),
  readRoute("/admin/ledger/code-guard/clients", codeGuard.AdminGetCodeGuardClientsParams),
  writeRoute("/admin/ledger/code-guard/clear", codeGuard.AdminClearCodeGuardClient),
  readRoute("/admin/ledger/reconciliation", AdminGetReconciliation),
  writeRoute("/admin/ledger/reconciliation", AdminRunReconciliation),

  writeRoute("/admin/orders/:id/refund-to-account", AdminRefundOrderToAccount, ID),
  writeRoute("/admin/customers/:id/store-credit", AdminIssueStoreCredit, ID),
  writeRoute("/admin/orders/:id/pay-from-account", AdminPayOrderFromAccount, ID),
  readRoute("/admin/orders/:id/account-money", null, ID),
  readRoute("/admin/ledger/reports/deferred-income", reports.AdminDeferredIncomeReportParams),
  readRoute("/admin/ledger/reports/profit-loss", reports.AdminProfitLossReportParams),
  readRoute("/admin/ledger/reports/trial-balance", reports.AdminTrialBalanceReportParams),
  // Imports of balances (README "Importing balances"); a CSV may be up to CSV_BODY_BYTES.
  writeRoute("/admin/ledger/imports/loyalty", AdminImportLoyalty),
  { method: ["POST"], matcher: "/admin/ledger/imports/csv", bodyParser: false, middlewares: [jsonBodyWithin(CSV_BODY_BYTES), validateBody(AdminImportCsv)] },
]

// Personal accounts need the shopper logged in; gift-card codes work for guests too.
const optionalCustomer = authenticate("customer", ["session", "bearer"], { allowUnauthenticated: true })

const checkoutRoutes: MiddlewareRoute[] = [
  writeRoute("/store/carts/:id/account-allocations", StoreCreateAccountAllocation, ID, [optionalCustomer]),
  {
    method: ["DELETE"],
    matcher: "/store/carts/:id/account-allocations/:allocation_id",
    middlewares: [optionalCustomer, validateParams({ id: IdSchema, allocation_id: IdSchema })],
  },
  { method: ["POST"], matcher: "/store/payment-collections/:id/payment-sessions", middlewares: [guardAccountCode] },
]

/**
 * A route with a parameter (`/admin/accounts/:id`) also matches its static siblings
 * (`/admin/accounts/batch`, same method): its middlewares step aside for those paths.
 */
function besideStaticSiblings(all: MiddlewareRoute[]): MiddlewareRoute[] {
  const methods = (r: MiddlewareRoute) => [r.method ?? []].flat().map(String)
  return all.map((r) => {
    const parts = String(r.matcher).split("/")
    const siblings: [string, string][] = []
    for (const other of all) {
      const o = String(other.matcher).split("/")
      if (other === r || o.length !== parts.length || !methods(other).some((m) => methods(r).includes(m))) continue
      const differ = parts.flatMap((p, i) => (p === o[i] ? [] : [[p, o[i]]]))
      if (differ.length === 1 && differ[0][0].startsWith(":") && !differ[0][1].startsWith(":")) {
        siblings.push([differ[0][0].slice(1), differ[0][1]])
      }
    }
    if (!siblings.length) return r
    const aside = (req: MedusaRequest) => siblings.some(([param, literal]) => req.params?.[param] === literal)
    return {
      ...r,
      middlewares: (r.middlewares ?? []).map((mw: any): Middleware => (req: any, res: any, next: any) => (aside(req) ? next() : mw(req, res, next))),
    }
  })
}

// While PostgreSQL is known to be down, every route of the plugin answers 503 at once.
const routes = besideStaticSiblings([...adminRoutes, ...checkoutRoutes, ...storeAccountRoutes]).map((r) => ({
  ...r,
  middlewares: [databaseGate, ...(r.middlewares ?? [])],
}))

export default defineMiddlewares({
  routes,
  // Medusa's handler, plus 503 database_unavailable and 400 for undecodable paths (see ledgerErrorHandler)
  errorHandler: ledgerErrorHandler(routes.map((r) => String(r.matcher))),
})
