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
