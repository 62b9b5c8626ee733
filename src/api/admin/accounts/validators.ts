import { z } from "@medusajs/framework/zod"
import { createFindParams } from "@medusajs/medusa/api/utils/validators"
import { ACCOUNT_SORTS } from "../../../modules/ledger/admin-reads"
import {
  AmountSchema,
  BooleanString,
  DateParam,
  DateRangeParam,
  DateSchema,
  FormatParam,
  OrderParam,
  MetadataSchema,
  OneOrMany,
  PostingFields,
} from "../../utils/validators"

const STATUS = z.enum(["open", "frozen", "closed"])

const ListLimit = z.preprocess((v) => (typeof v === "string" && v ? Number(v) : v), z.number().int().min(1).max(1000))
const ListOffset = z.preprocess((v) => (typeof v === "string" && v ? Number(v) : v), z.number().int().min(0))

export const AdminGetAccountsParams = createFindParams({ limit: 20, offset: 0 })
  .extend({
    limit: ListLimit.default(20),
    offset: ListOffset.default(0),
    // name, description or code (dashes, spaces and case ignored) contains it, or the owner's
    // or a member's email does, or it is the id
    q: z.string().max(200).optional(),
    id: OneOrMany(z.string()).optional(),
    code: z.string().optional(),
    status: OneOrMany(STATUS).optional(),
    // the type or any type below it
    account_type_id: OneOrMany(z.string()).optional(),
    // owner or member
    customer_id: z.string().optional(),
    currency_code: OneOrMany(z.string()).optional(),
    is_core: BooleanString.optional(),
    is_gift_card: BooleanString.optional(),
    has_balance: BooleanString.optional(),
    ends_before: DateParam.optional(),
    created_at: DateRangeParam.optional(),
    updated_at: DateRangeParam.optional(),
    order: OrderParam(ACCOUNT_SORTS).optional(),
    format: FormatParam.optional(),
  })
  .strict()
export type AdminGetAccountsParamsType = z.infer<typeof AdminGetAccountsParams>

export const AdminGetAccountParams = createFindParams().pick({ fields: true })

const AccountDetails = {
  description: z.string().max(1000).nullish(),
  account_type_id: z.string().optional(),
  credit_limit: AmountSchema.nullish(),
  start_date: DateSchema.nullish(),
  end_date: DateSchema.nullish(),
  customer_id: z.string().nullish(),
  member_ids: z.array(z.string()).optional(),
  product_ids: z.array(z.string()).nullish(),
  can_pay_shipping: z.boolean().optional(),
  metadata: MetadataSchema,
}

export const AdminCreateAccount = z
  .object({
    name: z.string().min(1).max(200),
    currency_code: z.string(),
    code: z.string().nullish(),
    generate_code: z.boolean().optional(),
    initial_amount: AmountSchema.optional(),
    source_account_id: z.string().optional(),
    idempotency_key: PostingFields.idempotency_key,
    ...AccountDetails,
  })
  .strict()
export type AdminCreateAccountType = z.infer<typeof AdminCreateAccount>

export const AdminUpdateAccount = z
  .object({ name: z.string().min(1).max(200).optional(), ...AccountDetails })
  .strict()
export type AdminUpdateAccountType = z.infer<typeof AdminUpdateAccount>

export const AdminAccountStatusChange = z.object({}).strict()

export const AdminTopUpAccount = z
  .object({ amount: AmountSchema, source_account_id: z.string().optional(), ...PostingFields })
  .strict()
export type AdminTopUpAccountType = z.infer<typeof AdminTopUpAccount>

export const AdminWithdrawAccount = z
  .object({ amount: AmountSchema, destination_account_id: z.string().optional(), ...PostingFields })
  .strict()
export type AdminWithdrawAccountType = z.infer<typeof AdminWithdrawAccount>

export const AdminGetAccountEntriesParams = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  offset: z.coerce.number().int().min(0).default(0),
  order: z.enum(["asc", "desc"]).default("desc"),
  from: z.string().optional(),
  to: z.string().optional(),
})
export type AdminGetAccountEntriesParamsType = z.infer<typeof AdminGetAccountEntriesParams>

export const AdminGetAccountOrdersParams = z
  .object({ limit: z.coerce.number().int().min(1).max(1000).default(20), offset: z.coerce.number().int().min(0).default(0) })
  .strict()
export type AdminGetAccountOrdersParamsType = z.infer<typeof AdminGetAccountOrdersParams>

export const AdminGetBalanceHistoryParams = z
  .object({
    from: DateParam.optional(),
    to: DateParam.optional(),
    points: z.coerce.number().int().min(2).max(1000).default(60),
  })
  .strict()
export type AdminGetBalanceHistoryParamsType = z.infer<typeof AdminGetBalanceHistoryParams>

const HOLD_STATUS = z.enum(["open", "captured", "released", "expired"])

export const AdminGetAccountHoldsParams = z
  .object({
    status: OneOrMany(HOLD_STATUS).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(50),
    offset: z.coerce.number().int().min(0).default(0),
  })
  .strict()
export type AdminGetAccountHoldsParamsType = z.infer<typeof AdminGetAccountHoldsParams>

export const AdminRedeemByCode = z.object({ amount: AmountSchema, ...PostingFields }).strict()
export type AdminRedeemByCodeType = z.infer<typeof AdminRedeemByCode>

export const AdminRefundByCode = z
  .object({ amount: AmountSchema, transfer_reference: z.string().optional(), ...PostingFields })
  .strict()
export type AdminRefundByCodeType = z.infer<typeof AdminRefundByCode>
