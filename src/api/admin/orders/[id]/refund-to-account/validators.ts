import { z } from "@medusajs/framework/zod"
import { AmountSchema, IdempotencyKeySchema } from "../../../../utils/validators"

export const AdminRefundOrderToAccount = z
  .object({
    amount: AmountSchema,
    account_id: z.string().min(1).optional(),
    note: z.string().max(500).optional(),
    idempotency_key: IdempotencyKeySchema.optional(),
  })
  .strict()

export type AdminRefundOrderToAccountType = z.infer<typeof AdminRefundOrderToAccount>
