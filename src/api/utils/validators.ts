import { z } from "@medusajs/framework/zod"

/** Money: a JSON number or a decimal string ("12.50"); the ledger validates the value. */
export const AmountSchema = z.union([z.number(), z.string()])

export const DateSchema = z.union([z.string(), z.date()])

export const IdempotencyKeySchema = z.string().min(1).max(200)

export const MetadataSchema = z.record(z.string(), z.unknown()).nullish()

/** "a" or ["a","b"], as Medusa's list filters accept. */
export const OneOrMany = <T extends z.ZodTypeAny>(schema: T) => z.union([schema, z.array(schema)])

export const BooleanString = z
  .union([z.boolean(), z.enum(["true", "false"])])
  .transform((v) => v === true || v === "true")

/** Common optional fields of every posting. */
export const PostingFields = {
  description: z.string().max(1000).nullish(),
  merchant_reference: z.string().max(200).nullish(),
  idempotency_key: IdempotencyKeySchema.optional(),
  metadata: MetadataSchema,
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}(:?\d{2})?)?)?$/

/** A date query parameter: ISO 8601 (`2025-01-31` or `2025-01-31T12:00:00Z`), as a Date. */
export const DateParam = z
  .union([z.string(), z.date()])
  .refine((v) => (v instanceof Date ? !Number.isNaN(v.getTime()) : ISO_DATE.test(v) && !Number.isNaN(new Date(v).getTime())), {
    message: "must be an ISO 8601 date, e.g. 2025-01-31 or 2025-01-31T12:00:00Z",
  })
  .transform((v) => (v instanceof Date ? v : new Date(v)))

/**
 * A date range as Medusa's lists take it: `created_at[$gte]=…&created_at[$lt]=…` (the
 * operators also without `$`). Unknown operators and bad dates are refused, not ignored.
 */
export const DateRangeParam = z
  .object({
    $gt: DateParam.optional(),
    $gte: DateParam.optional(),
    $lt: DateParam.optional(),
    $lte: DateParam.optional(),
    gt: DateParam.optional(),
    gte: DateParam.optional(),
    lt: DateParam.optional(),
    lte: DateParam.optional(),
  })
  .strict()
  .transform((r) => {
    const range: { $gt?: Date; $gte?: Date; $lt?: Date; $lte?: Date } = {}
    for (const op of ["gt", "gte", "lt", "lte"] as const) {
      const value = r[`$${op}`] ?? r[op]
      if (value) range[`$${op}`] = value
    }
    return range
  })
export type DateRangeParamType = z.infer<typeof DateRangeParam>

/** `order`: one of `fields`, `-` in front for descending. */
export const OrderParam = <T extends string>(fields: readonly T[]) =>
  z
    .string()
    .refine((v) => (fields as readonly string[]).includes(v.replace(/^-/, "")), {
      message: `must be one of ${fields.join(", ")}, with - in front for descending`,
    })

/** `format=csv` downloads the whole filtered list (up to CSV_MAX_ROWS rows) instead of a page. */
export const FormatParam = z.enum(["json", "csv"])
