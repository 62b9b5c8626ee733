import { z } from "@medusajs/framework/zod"
import { createFindParams } from "@medusajs/medusa/api/utils/validators"
import { AmountSchema, DateRangeParam, FormatParam, OneOrMany, OrderParam, PostingFields } from "../../utils/validators"

const KIND = z.enum(["transfer", "load", "redemption", "capture", "refund", "reversal", "expiry"])

export const TRANSFER_SORTS = ["created_at", "amount", "kind", "reference", "merchant_reference"] as const

const ListLimit = z.preprocess((v) => (typeof v === "string" && v ? Number(v) : v), z.number().int().min(1).max(1000))
const ListOffset = z.preprocess((v) => (typeof v === "string" && v ? Number(v) : v), z.number().int().min(0))

export const AdminGetTransfersParams = createFindParams({ limit: 20, offset: 0 })
  .extend({
    limit: ListLimit.default(20),
    offset: ListOffset.default(0),
    // the reference (dashes, spaces and case ignored) or id is it, or the merchant
    // reference or description contains it
    q: z.string().max(200).optional(),
    id: OneOrMany(z.string()).optional(),
    reference: OneOrMany(z.string()).optional(),
    // either side
    account_id: z.string().optional(),
    source_id: OneOrMany(z.string()).optional(),
    destination_id: OneOrMany(z.string()).optional(),
    kind: OneOrMany(KIND).optional(),
    parent_id: z.string().optional(),
    merchant_reference: z.string().optional(),
    // = merchant_reference: the transfers of an order
    order_id: z.string().optional(),
    currency_code: OneOrMany(z.string()).optional(),
    created_at: DateRangeParam.optional(),
    order: OrderParam(TRANSFER_SORTS).optional(),
    format: FormatParam.optional(),
  })
  .strict()
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
