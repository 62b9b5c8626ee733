import { z } from "@medusajs/framework/zod"
import { AmountSchema, IdSchema, IdempotencyKeySchema, INPUT_LIMITS, SafeText } from "../../../../utils/validators"

export const AdminRefundOrderToAccount = z
  .object({
    amount: AmountSchema,
    account_id: IdSchema.optional(),
    note: SafeText(INPUT_LIMITS.noteLength).optional(),
    idempotency_key: IdempotencyKeySchema.optional(),
  })
  .strict()

export type AdminRefundOrderToAccountType = z.infer<typeof AdminRefundOrderToAccount>
