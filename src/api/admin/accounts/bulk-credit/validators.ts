import { z } from "@medusajs/framework/zod"
import {
  CurrencyCodeSchema,
  DateSchema,
  DescriptionSchema,
  IdSchema,
  IdempotencyKeySchema,
  INPUT_LIMITS,
  SafeLine,
} from "../../../utils/validators"

/** Rows of one bulk credit request; the admin sends a larger file in chunks. */
export const BULK_CREDIT_MAX_ROWS = 1000

/**
 * One row of a bulk credit, as read from a merchant's file. Its shape is checked here (a
 * wrong type or an unknown field refuses the whole request); its values (an amount that is
 * no amount, an unknown email, a row naming no one) become that row's error, so one bad
 * line of a file does not hide the verdict on the others.
 */
const BulkCreditRow = z
  .object({
    line: z.number().int().min(0).max(10_000_000).optional(),
    email: SafeLine(320).optional(),
    customer_id: IdSchema.optional(),
    account_id: IdSchema.optional(),
    amount: z.union([z.string().max(INPUT_LIMITS.amountLength), z.number()]),
    note: DescriptionSchema.optional(),
  })
  .strict()

export const AdminBulkCredit = z
  .object({
    currency_code: CurrencyCodeSchema,
    // promotional credit by default; "@bank" when the money was received
    source_account_id: z.enum(["@unpaid_source", "@bank"]).default("@unpaid_source"),
    rows: z.array(BulkCreditRow).min(1).max(BULK_CREDIT_MAX_ROWS),
    dry_run: z.boolean().default(false),
    mode: z.enum(["independent", "atomic"]).default("independent"),
    idempotency_key: IdempotencyKeySchema.optional(),
    // when this credit expires (a lot of each wallet); never when absent
    expires_at: DateSchema.nullish(),
  })
  .strict()
export type AdminBulkCreditType = z.infer<typeof AdminBulkCredit>
