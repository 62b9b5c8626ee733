import { z } from "@medusajs/framework/zod"
import { createFindParams, createOperatorMap } from "@medusajs/medusa/api/utils/validators"
import { AmountSchema, OneOrMany, PostingFields } from "../../utils/validators"

const KIND = z.enum(["transfer", "load", "redemption", "capture", "refund", "reversal", "expiry"])

export const AdminGetTransfersParams = createFindParams({ limit: 20, offset: 0 }).extend({
  q: z.string().optional(),
  id: OneOrMany(z.string()).optional(),
  reference: OneOrMany(z.string()).optional(),
  account_id: z.string().optional(),
  source_id: OneOrMany(z.string()).optional(),
  destination_id: OneOrMany(z.string()).optional(),
  kind: OneOrMany(KIND).optional(),
  parent_id: z.string().optional(),
  merchant_reference: z.string().optional(),
  currency_code: OneOrMany(z.string()).optional(),
  created_at: createOperatorMap().optional(),
})
export type AdminGetTransfersParamsType = z.infer<typeof AdminGetTransfersParams>

export const AdminGetTransferParams = createFindParams().pick({ fields: true })

export const AdminCreateTransfer = z
  .object({
    source_account_id: z.string().min(1),
    destination_account_id: z.string().min(1),
    amount: AmountSchema,
    kind: z.enum(["transfer", "load", "redemption"]).optional(),
    ...PostingFields,
  })
  .strict()
export type AdminCreateTransferType = z.infer<typeof AdminCreateTransfer>

export const AdminReverseTransfer = z
  .object({
    description: PostingFields.description,
    idempotency_key: PostingFields.idempotency_key,
    metadata: PostingFields.metadata,
  })
  .strict()
export type AdminReverseTransferType = z.infer<typeof AdminReverseTransfer>

export const AdminRefundTransfer = z.object({ amount: AmountSchema, ...PostingFields }).strict()
export type AdminRefundTransferType = z.infer<typeof AdminRefundTransfer>
