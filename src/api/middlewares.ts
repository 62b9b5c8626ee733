import {
  authenticate,
  defineMiddlewares,
  validateAndTransformBody,
  validateAndTransformQuery,
} from "@medusajs/framework/http"
import type { MiddlewareRoute } from "@medusajs/framework/http"
import type { z } from "@medusajs/framework/zod"
import * as accountTypeQuery from "./admin/account-types/query-config"
import * as accountTypes from "./admin/account-types/validators"
import * as accountQuery from "./admin/accounts/query-config"
import * as accounts from "./admin/accounts/validators"
import * as transferQuery from "./admin/transfers/query-config"
import * as transfers from "./admin/transfers/validators"
import * as codeGuard from "./admin/ledger/code-guard/validators"
import * as reports from "./admin/ledger/reports/validators"
import { storeAccountRoutes } from "./store/accounts/middlewares"
import { AdminRefundOrderToAccount } from "./admin/orders/[id]/refund-to-account/validators"
import { AdminIssueStoreCredit } from "./admin/customers/[id]/store-credit/validators"
import { AdminPayOrderFromAccount } from "./admin/orders/[id]/pay-from-account/validators"
import { StoreCreateAccountAllocation } from "./store/carts/[id]/account-allocations/validators"
import { guardAccountCode } from "./store/payment-collections/guard-account-code"
import { withInvalidRequestCode } from "./utils/ledger-route"

const body = (schema: z.ZodTypeAny) => withInvalidRequestCode(validateAndTransformBody(schema as any))
const query = (schema: z.ZodTypeAny, config?: Record<string, unknown>) =>
  withInvalidRequestCode(validateAndTransformQuery(schema as any, config ?? {}))

const adminRoutes: MiddlewareRoute[] = [
  { method: ["GET"], matcher: "/admin/accounts", middlewares: [query(accounts.AdminGetAccountsParams, accountQuery.listAdminAccountsQueryConfig)] },
  { method: ["POST"], matcher: "/admin/accounts", middlewares: [body(accounts.AdminCreateAccount)] },
  { method: ["GET"], matcher: "/admin/accounts/code/:code", middlewares: [query(accounts.AdminGetAccountParams, accountQuery.retrieveAdminAccountQueryConfig)] },
  { method: ["POST"], matcher: "/admin/accounts/code/:code/redemptions", middlewares: [body(accounts.AdminRedeemByCode)] },
  { method: ["POST"], matcher: "/admin/accounts/code/:code/refunds", middlewares: [body(accounts.AdminRefundByCode)] },
  { method: ["GET"], matcher: "/admin/accounts/:id", middlewares: [query(accounts.AdminGetAccountParams, accountQuery.retrieveAdminAccountQueryConfig)] },
  { method: ["POST"], matcher: "/admin/accounts/:id", middlewares: [body(accounts.AdminUpdateAccount)] },
  { method: ["POST"], matcher: "/admin/accounts/:id/freeze", middlewares: [body(accounts.AdminAccountStatusChange)] },
  { method: ["POST"], matcher: "/admin/accounts/:id/thaw", middlewares: [body(accounts.AdminAccountStatusChange)] },
  { method: ["POST"], matcher: "/admin/accounts/:id/close", middlewares: [body(accounts.AdminAccountStatusChange)] },
  { method: ["POST"], matcher: "/admin/accounts/:id/top-up", middlewares: [body(accounts.AdminTopUpAccount)] },
  { method: ["POST"], matcher: "/admin/accounts/:id/withdraw", middlewares: [body(accounts.AdminWithdrawAccount)] },
  { method: ["GET"], matcher: "/admin/accounts/:id/entries", middlewares: [query(accounts.AdminGetAccountEntriesParams)] },
  { method: ["GET"], matcher: "/admin/transfers", middlewares: [query(transfers.AdminGetTransfersParams, transferQuery.listAdminTransfersQueryConfig)] },
  { method: ["POST"], matcher: "/admin/transfers", middlewares: [body(transfers.AdminCreateTransfer)] },
  { method: ["GET"], matcher: "/admin/transfers/:reference", middlewares: [query(transfers.AdminGetTransferParams, transferQuery.retrieveAdminTransferQueryConfig)] },
  { method: ["POST"], matcher: "/admin/transfers/:reference/reverse", middlewares: [body(transfers.AdminReverseTransfer)] },
  { method: ["POST"], matcher: "/admin/transfers/:reference/refunds", middlewares: [body(transfers.AdminRefundTransfer)] },
  { method: ["GET"], matcher: "/admin/account-types", middlewares: [query(accountTypes.AdminGetAccountTypesParams, accountTypeQuery.listAdminAccountTypesQueryConfig)] },
  { method: ["POST"], matcher: "/admin/account-types", middlewares: [body(accountTypes.AdminCreateAccountType)] },
  // For the admin pages: an account's orders, balance history and holds; renaming a type; the code guard.
  { method: ["GET"], matcher: "/admin/accounts/:id/orders", middlewares: [query(accounts.AdminGetAccountOrdersParams)] },
  { method: ["GET"], matcher: "/admin/accounts/:id/balance-history", middlewares: [query(accounts.AdminGetBalanceHistoryParams)] },
  { method: ["GET"], matcher: "/admin/accounts/:id/holds", middlewares: [query(accounts.AdminGetAccountHoldsParams)] },
  { method: ["POST"], matcher: "/admin/account-types/:id", middlewares: [body(accountTypes.AdminUpdateAccountType)] },
  { method: ["GET"], matcher: "/admin/ledger/code-guard/clients", middlewares: [query(codeGuard.AdminGetCodeGuardClientsParams)] },
  { method: ["POST"], matcher: "/admin/ledger/code-guard/clear", middlewares: [body(codeGuard.AdminClearCodeGuardClient)] },

  { method: ["POST"], matcher: "/admin/orders/:id/refund-to-account", middlewares: [body(AdminRefundOrderToAccount)] },
  { method: ["POST"], matcher: "/admin/customers/:id/store-credit", middlewares: [body(AdminIssueStoreCredit)] },
  { method: ["POST"], matcher: "/admin/orders/:id/pay-from-account", middlewares: [body(AdminPayOrderFromAccount)] },
  { method: ["GET"], matcher: "/admin/ledger/reports/deferred-income", middlewares: [query(reports.AdminDeferredIncomeReportParams)] },
  { method: ["GET"], matcher: "/admin/ledger/reports/profit-loss", middlewares: [query(reports.AdminProfitLossReportParams)] },
  { method: ["GET"], matcher: "/admin/ledger/reports/trial-balance", middlewares: [query(reports.AdminTrialBalanceReportParams)] },
]

// Personal accounts need the shopper logged in; gift-card codes work for guests too.
const optionalCustomer = authenticate("customer", ["session", "bearer"], { allowUnauthenticated: true })

const checkoutRoutes: MiddlewareRoute[] = [
  { method: ["POST"], matcher: "/store/carts/:id/account-allocations", middlewares: [optionalCustomer, body(StoreCreateAccountAllocation)] },
  { method: ["DELETE"], matcher: "/store/carts/:id/account-allocations/:allocation_id", middlewares: [optionalCustomer] },
  { method: ["POST"], matcher: "/store/payment-collections/:id/payment-sessions", middlewares: [guardAccountCode] },
]

export default defineMiddlewares({ routes: [...adminRoutes, ...checkoutRoutes, ...storeAccountRoutes] })
