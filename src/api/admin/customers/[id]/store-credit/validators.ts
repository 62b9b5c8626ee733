import { z } from "@medusajs/framework/zod"
import { AmountSchema, CurrencyCodeSchema, DateSchema, PostingFields } from "../../../../utils/validators"

export const AdminIssueStoreCredit = z
  .object({
    amount: AmountSchema,
    currency_code: CurrencyCodeSchema,
    // money received lands in Bank; goodwill comes from Unpaid source
    source: z.enum(["received", "goodwill"]).default("goodwill"),
    expires_at: DateSchema.nullish(),
    description: PostingFields.description,
    idempotency_key: PostingFields.idempotency_key,
  })
  .strict()
export type AdminIssueStoreCreditType = z.infer<typeof AdminIssueStoreCredit>
