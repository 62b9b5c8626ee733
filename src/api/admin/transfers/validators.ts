import { z } from "@medusajs/framework/zod"
import {
  AccountRefSchema,
  AmountSchema,
  CurrencyCodeSchema,
  DateRangeParam,
  FieldsParam,
  FieldsSpec,
  FormatParam,
  IdSchema,
  ListParams,
  MerchantReferenceSchema,
  OneOrMany,
  PostingFields,
  CreditFields,
  SearchSchema,
  BatchFields,
} from "../../utils/validators"
import { MAX_BATCH } from "../../../modules/ledger/batch-sql"
import { TRANSFER_EXTRAS } from "./helpers"
import { defaultAdminTransferFields } from "./query-config"

const KIND = z.enum(["transfer", "load", "redemption", "capture", "refund", "reversal", "expiry"])

export const TRANSFER_SORTS = ["created_at", "amount", "kind", "reference", "merchant_reference"] as const

/** What `fields` may name on a transfer: its columns, the computed extras and its entries. */
export const ADMIN_TRANSFER_FIELDS: FieldsSpec = {
  fields: [...defaultAdminTransferFields, "updated_at", ...TRANSFER_EXTRAS],
  relations: { entries: ["id", "account_id", "amount", "balance_after", "transfer_id", "created_at"] },
}

export const AdminGetTransfersParams = z
  .object({
    ...ListParams({ defaultLimit: 20, sorts: TRANSFER_SORTS, fields: ADMIN_TRANSFER_FIELDS }),
    // the reference (dashes, spaces and case ignored) or id is it, or the merchant
    // reference or description contains it
    q: SearchSchema.optional(),
    id: OneOrMany(IdSchema).optional(),
    reference: OneOrMany(IdSchema).optional(),
    // either side
    account_id: IdSchema.optional(),
    source_id: OneOrMany(IdSchema).optional(),
    destination_id: OneOrMany(IdSchema).optional(),
    kind: OneOrMany(KIND).optional(),
    parent_id: IdSchema.optional(),
    merchant_reference: MerchantReferenceSchema.optional(),
    // = merchant_reference: the transfers of an order
    order_id: IdSchema.optional(),
    currency_code: OneOrMany(CurrencyCodeSchema).optional(),
    created_at: DateRangeParam.optional(),
    format: FormatParam.optional(),
  })
  .strict()
export type AdminGetTransfersParamsType = z.infer<typeof AdminGetTransfersParams>

export const AdminGetTransferParams = z.object({ fields: FieldsParam(ADMIN_TRANSFER_FIELDS).optional() }).strict()

export const AdminCreateTransfer = z
  .object({
    source_account_id: AccountRefSchema,
    destination_account_id: AccountRefSchema,
    amount: AmountSchema,
    kind: z.enum(["transfer", "load", "redemption"]).optional(),
    ...PostingFields,
    ...CreditFields,
  })
  .strict()
export type AdminCreateTransferType = z.infer<typeof AdminCreateTransfer>

export const AdminPostTransferBatch = z
  .object({ ...BatchFields, transfers: z.array(AdminCreateTransfer).min(1).max(MAX_BATCH) })
  .strict()
export type AdminPostTransferBatchType = z.infer<typeof AdminPostTransferBatch>

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
