import { z } from "@medusajs/framework/zod"
import { AmountSchema, CodeSchema, IdSchema } from "../../../../utils/validators"

export const StoreCreateAccountAllocation = z
  .object({
    account_id: IdSchema.optional(),
    code: CodeSchema.optional(),
    amount: AmountSchema.optional(),
  })
  .strict()
  .refine((b) => Boolean(b.account_id) !== Boolean(b.code), { message: "Give exactly one of account_id or code" })

export type StoreCreateAccountAllocationType = z.infer<typeof StoreCreateAccountAllocation>
