import { z } from "@medusajs/framework/zod"
import { AmountSchema, CodeSchema, IdSchema, IdempotencyKeySchema } from "../../../../utils/validators"

/** One of account_id and code; amount optional (default: all that is due, capped at what the account has). */
export const AdminPayOrderFromAccount = z
  .object({
    account_id: IdSchema.optional(),
    code: CodeSchema.optional(),
    amount: AmountSchema.optional(),
    idempotency_key: IdempotencyKeySchema.optional(),
  })
  .strict()
  .refine((b) => !!b.account_id !== !!b.code, { message: "Give either account_id or code", path: ["account_id"] })

export type AdminPayOrderFromAccountType = z.infer<typeof AdminPayOrderFromAccount>
