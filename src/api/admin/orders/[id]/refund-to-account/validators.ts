import { z } from "@medusajs/framework/zod"
import { AmountSchema, DateSchema, IdSchema, IdempotencyKeySchema, INPUT_LIMITS, SafeText } from "../../../../utils/validators"

export const AdminRefundOrderToAccount = z
  .object({
    amount: AmountSchema,
    account_id: IdSchema.optional(),
    note: SafeText(INPUT_LIMITS.noteLength).optional(),
    expires_at: DateSchema.nullish(),
    idempotency_key: IdempotencyKeySchema.optional(),
  })
  .strict()

export type AdminRefundOrderToAccountType = z.infer<typeof AdminRefundOrderToAccount>
