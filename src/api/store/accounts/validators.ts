import { z } from "@medusajs/framework/zod"
import { CodeSchema, CurrencyCodeSchema, FieldsParam, FieldsSpec, ListParams, OneOrMany } from "../../utils/validators"
import { AdminGetAccountEntriesParams, AdminGetAccountLotsParams } from "../../admin/accounts/validators"
import { storeAccountFields } from "./query-config"

/** What a shopper may name in `fields`: the store's account fields and the type's name, nothing else. */
export const STORE_ACCOUNT_FIELDS: FieldsSpec = {
  fields: storeAccountFields.filter((f) => !f.includes(".")),
  relations: { type: ["name"] },
  stars: false,
}

export const STORE_ACCOUNT_SORTS = [
  "name",
  "code",
  "status",
  "currency_code",
  "balance",
  "start_date",
  "end_date",
  "created_at",
  "updated_at",
] as const

export const StoreGetAccountsParams = z
  .object({
    ...ListParams({ defaultLimit: 20, sorts: STORE_ACCOUNT_SORTS, fields: STORE_ACCOUNT_FIELDS }),
    status: OneOrMany(z.enum(["open", "frozen", "closed"])).optional(),
    currency_code: OneOrMany(CurrencyCodeSchema).optional(),
  })
  .strict()
export type StoreGetAccountsParamsType = z.infer<typeof StoreGetAccountsParams>

export const StoreGetAccountParams = z.object({ fields: FieldsParam(STORE_ACCOUNT_FIELDS).optional() }).strict()

// The same statement query as the admin's: limit, offset, order (asc|desc), from, to.
export const StoreGetAccountEntriesParams = AdminGetAccountEntriesParams
export type StoreGetAccountEntriesParamsType = z.infer<typeof StoreGetAccountEntriesParams>

export const StoreCheckBalance = z.object({ code: CodeSchema }).strict()
export type StoreCheckBalanceType = z.infer<typeof StoreCheckBalance>

export const StoreGetAccountLotsParams = AdminGetAccountLotsParams
export type StoreGetAccountLotsParamsType = z.infer<typeof StoreGetAccountLotsParams>
