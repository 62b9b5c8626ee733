import { authenticate, validateAndTransformBody, validateAndTransformQuery } from "@medusajs/framework/http"
import type { MiddlewareRoute } from "@medusajs/framework/http"
import type { z } from "@medusajs/framework/zod"
import { withInvalidRequestCode } from "../../utils/ledger-route"
import { listStoreAccountsQueryConfig, retrieveStoreAccountQueryConfig } from "./query-config"
import * as validators from "./validators"

const body = (schema: z.ZodTypeAny) => withInvalidRequestCode(validateAndTransformBody(schema as any))
const query = (schema: z.ZodTypeAny, config?: Record<string, unknown>) =>
  withInvalidRequestCode(validateAndTransformQuery(schema as any, config ?? {}))

// Medusa checks the publishable key on every /store route; personal accounts also need a
// logged-in customer (Medusa's own store auth lets anonymous requests through).
const customer = authenticate("customer", ["session", "bearer"])

export const storeAccountRoutes: MiddlewareRoute[] = [
  { method: ["GET"], matcher: "/store/accounts", middlewares: [customer, query(validators.StoreGetAccountsParams, listStoreAccountsQueryConfig)] },
  { method: ["POST"], matcher: "/store/accounts/balance", middlewares: [body(validators.StoreCheckBalance)] },
  { method: ["GET"], matcher: "/store/accounts/:id", middlewares: [customer, query(validators.StoreGetAccountParams, retrieveStoreAccountQueryConfig)] },
  { method: ["GET"], matcher: "/store/accounts/:id/entries", middlewares: [customer, query(validators.StoreGetAccountEntriesParams)] },
]
