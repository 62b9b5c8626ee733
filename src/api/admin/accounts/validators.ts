import { z } from "@medusajs/framework/zod"
import { ACCOUNT_SORTS } from "../../../modules/ledger/admin-reads"
import {
  AccountRefSchema,
  AmountSchema,
  BooleanString,
  CodeSchema,
  CurrencyCodeSchema,
  DateParam,
  DateRangeParam,
  DateSchema,
  DescriptionSchema,
  FieldsParam,
  FieldsSpec,
  FormatParam,
  IdSchema,
  INPUT_LIMITS,
  IntParam,
  LimitParam,
  ListParams,
  MetadataSchema,
  NameSchema,
  OffsetParam,
  OneOrMany,
  PostingFields,
  CreditFields,
  BatchFields,
  SearchSchema,
} from "../../utils/validators"
import { ACCOUNT_EXTRAS } from "./helpers"
import { MAX_BATCH } from "../../../modules/ledger/batch-sql"
import { defaultAdminAccountFields } from "./query-config"

const STATUS = z.enum(["open", "frozen", "closed"])

/** What `fields` may name on an account: its columns, the computed extras, its type and members. */
export const ADMIN_ACCOUNT_FIELDS: FieldsSpec = {
  fields: [...defaultAdminAccountFields, ...ACCOUNT_EXTRAS],
  relations: {
    type: ["id", "code", "name", "path", "parent_id", "metadata", "created_at", "updated_at"],
    members: ["id", "customer_id", "account_id", "created_at", "updated_at"],
  },
}

export const AdminGetAccountsParams = z
  .object({
    ...ListParams({ defaultLimit: 20, sorts: ACCOUNT_SORTS, fields: ADMIN_ACCOUNT_FIELDS }),
    // name, description or code (dashes, spaces and case ignored) contains it, or the owner's
    // or a member's email does, or it is the id
    q: SearchSchema.optional(),
    id: OneOrMany(IdSchema).optional(),
    code: CodeSchema.optional(),
    status: OneOrMany(STATUS).optional(),
    // the type or any type below it
    account_type_id: OneOrMany(IdSchema).optional(),
    // owner or member
    customer_id: IdSchema.optional(),
    currency_code: OneOrMany(CurrencyCodeSchema).optional(),
    is_core: BooleanString.optional(),
    is_gift_card: BooleanString.optional(),
    has_balance: BooleanString.optional(),
    ends_before: DateParam.optional(),
    created_at: DateRangeParam.optional(),
    updated_at: DateRangeParam.optional(),
    format: FormatParam.optional(),
  })
  .strict()
export type AdminGetAccountsParamsType = z.infer<typeof AdminGetAccountsParams>

export const AdminGetAccountParams = z.object({ fields: FieldsParam(ADMIN_ACCOUNT_FIELDS).optional() }).strict()

const AccountDetails = {
  description: DescriptionSchema.nullish(),
  account_type_id: IdSchema.optional(),
  credit_limit: AmountSchema.nullish(),
  start_date: DateSchema.nullish(),
  end_date: DateSchema.nullish(),
  customer_id: IdSchema.nullish(),
  member_ids: z.array(IdSchema).max(INPUT_LIMITS.memberIds).optional(),
  product_ids: z.array(IdSchema).max(INPUT_LIMITS.productIds).nullish(),
  can_pay_shipping: z.boolean().optional(),
  metadata: MetadataSchema,
}

export const AdminCreateAccount = z
  .object({
    name: NameSchema,
    currency_code: CurrencyCodeSchema,
    code: CodeSchema.nullish(),
    generate_code: z.boolean().optional(),
    initial_amount: AmountSchema.optional(),
    source_account_id: AccountRefSchema.optional(),
    // when the initial amount expires (a lot of its own); the account's end_date ends it all
    initial_expires_at: CreditFields.expires_at,
    idempotency_key: PostingFields.idempotency_key,
    ...AccountDetails,
  })
  .strict()
export type AdminCreateAccountType = z.infer<typeof AdminCreateAccount>

export const AdminCreateAccountBatch = z
  .object({ ...BatchFields, accounts: z.array(AdminCreateAccount).min(1).max(MAX_BATCH) })
  .strict()
export type AdminCreateAccountBatchType = z.infer<typeof AdminCreateAccountBatch>

export const AdminUpdateAccount = z.object({ name: NameSchema.optional(), ...AccountDetails }).strict()
export type AdminUpdateAccountType = z.infer<typeof AdminUpdateAccount>

export const AdminAccountStatusChange = z.object({}).strict()

export const AdminTopUpAccount = z
  .object({ amount: AmountSchema, source_account_id: AccountRefSchema.optional(), ...PostingFields, ...CreditFields })
  .strict()
export type AdminTopUpAccountType = z.infer<typeof AdminTopUpAccount>

export const AdminWithdrawAccount = z
  .object({ amount: AmountSchema, destination_account_id: AccountRefSchema.optional(), ...PostingFields })
  .strict()
export type AdminWithdrawAccountType = z.infer<typeof AdminWithdrawAccount>

export const AdminGetAccountEntriesParams = z
  .object({
    limit: LimitParam(50),
    offset: OffsetParam,
    order: z.enum(["asc", "desc"]).default("desc"),
    from: DateParam.optional(),
    to: DateParam.optional(),
  })
  .strict()
export type AdminGetAccountEntriesParamsType = z.infer<typeof AdminGetAccountEntriesParams>

/** An account's lots: active (default), expired (lapse at the next sweep), used, or all. */
export const AdminGetAccountLotsParams = z
  .object({
    status: z.enum(["active", "expired", "used", "all"]).default("active"),
    limit: LimitParam(50),
    offset: OffsetParam,
  })
  .strict()
export type AdminGetAccountLotsParamsType = z.infer<typeof AdminGetAccountLotsParams>

export const AdminGetAccountOrdersParams = z.object({ limit: LimitParam(20), offset: OffsetParam }).strict()
export type AdminGetAccountOrdersParamsType = z.infer<typeof AdminGetAccountOrdersParams>

export const AdminGetBalanceHistoryParams = z
  .object({
    from: DateParam.optional(),
    to: DateParam.optional(),
    points: IntParam({ min: 2, max: 1000, fallback: 60 }),
  })
  .strict()
export type AdminGetBalanceHistoryParamsType = z.infer<typeof AdminGetBalanceHistoryParams>

const HOLD_STATUS = z.enum(["open", "captured", "released", "expired"])

export const AdminGetAccountHoldsParams = z
  .object({
    status: OneOrMany(HOLD_STATUS).optional(),
    limit: LimitParam(50),
    offset: OffsetParam,
  })
  .strict()
export type AdminGetAccountHoldsParamsType = z.infer<typeof AdminGetAccountHoldsParams>

export const AdminRedeemByCode = z.object({ amount: AmountSchema, ...PostingFields }).strict()
export type AdminRedeemByCodeType = z.infer<typeof AdminRedeemByCode>

export const AdminRefundByCode = z
  .object({ amount: AmountSchema, transfer_reference: IdSchema.optional(), ...PostingFields })
  .strict()
export type AdminRefundByCodeType = z.infer<typeof AdminRefundByCode>
