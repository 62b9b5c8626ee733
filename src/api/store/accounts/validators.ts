import { z } from "@medusajs/framework/zod"
import { createFindParams } from "@medusajs/medusa/api/utils/validators"
import { OneOrMany } from "../../utils/validators"
import { AdminGetAccountEntriesParams } from "../../admin/accounts/validators"

export const StoreGetAccountsParams = createFindParams({ limit: 20, offset: 0 }).extend({
  status: OneOrMany(z.enum(["open", "frozen", "closed"])).optional(),
  currency_code: OneOrMany(z.string()).optional(),
})
export type StoreGetAccountsParamsType = z.infer<typeof StoreGetAccountsParams>

export const StoreGetAccountParams = createFindParams().pick({ fields: true })

// The same statement query as the admin's: limit, offset, order (asc|desc), from, to.
export const StoreGetAccountEntriesParams = AdminGetAccountEntriesParams
export type StoreGetAccountEntriesParamsType = z.infer<typeof StoreGetAccountEntriesParams>

export const StoreCheckBalance = z.object({ code: z.string().min(1).max(100) }).strict()
export type StoreCheckBalanceType = z.infer<typeof StoreCheckBalance>
