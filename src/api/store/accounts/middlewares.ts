import { authenticate } from "@medusajs/framework/http"
import type { MiddlewareRoute } from "@medusajs/framework/http"
import { jsonBody, validateBody, validateParams, validateQuery } from "../../utils/input"
import { IdSchema } from "../../utils/validators"
import { listStoreAccountsQueryConfig, retrieveStoreAccountQueryConfig } from "./query-config"
import * as validators from "./validators"

// Medusa checks the publishable key on every /store route; personal accounts also need a
// logged-in customer (Medusa's own store auth lets anonymous requests through).
const customer = authenticate("customer", ["session", "bearer"])
const id = validateParams({ id: IdSchema })

export const storeAccountRoutes: MiddlewareRoute[] = [
  { method: ["GET"], matcher: "/store/accounts", middlewares: [customer, validateQuery(validators.StoreGetAccountsParams, listStoreAccountsQueryConfig)] },
  // JSON only, read by jsonBody (see writeRoute in ../../middlewares.ts)
  { method: ["POST"], matcher: "/store/accounts/balance", bodyParser: false, middlewares: [jsonBody, validateBody(validators.StoreCheckBalance)] },
  { method: ["GET"], matcher: "/store/accounts/:id", middlewares: [customer, id, validateQuery(validators.StoreGetAccountParams, retrieveStoreAccountQueryConfig)] },
  { method: ["GET"], matcher: "/store/accounts/:id/entries", middlewares: [customer, id, validateQuery(validators.StoreGetAccountEntriesParams)] },
  { method: ["GET"], matcher: "/store/accounts/:id/lots", middlewares: [customer, id, validateQuery(validators.StoreGetAccountLotsParams)] },
]
