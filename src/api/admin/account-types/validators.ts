import { z } from "@medusajs/framework/zod"
import { FieldsSpec, IdSchema, ListParams, MetadataSchema, NameSchema, OneOrMany, SearchSchema } from "../../utils/validators"

/** A type's code: a dotted slug, as the ledger stores it (`liabilities.deferred_income.gift_cards`). */
const TypeCode = z.string().regex(/^[a-z0-9_.]{1,200}$/, { message: "may contain only a-z, 0-9, _ and ., at most 200" })

export const ACCOUNT_TYPE_FIELDS: FieldsSpec = {
  fields: ["id", "code", "name", "path", "parent_id", "metadata", "created_at", "updated_at"],
}

export const ACCOUNT_TYPE_SORTS = ["name", "code", "path", "created_at", "updated_at"] as const

export const AdminGetAccountTypesParams = z
  .object({
    ...ListParams({ defaultLimit: 100, sorts: ACCOUNT_TYPE_SORTS, fields: ACCOUNT_TYPE_FIELDS }),
    q: SearchSchema.optional(),
    id: OneOrMany(IdSchema).optional(),
    code: OneOrMany(TypeCode).optional(),
    parent_id: IdSchema.optional(),
  })
  .strict()
export type AdminGetAccountTypesParamsType = z.infer<typeof AdminGetAccountTypesParams>

export const AdminCreateAccountType = z
  .object({
    name: NameSchema,
    code: TypeCode.optional(),
    parent_id: IdSchema.nullish(),
    metadata: MetadataSchema,
  })
  .strict()
export type AdminCreateAccountTypeType = z.infer<typeof AdminCreateAccountType>

/** A type's code never changes (reports and the core accounts find types by it): name and metadata only. */
export const AdminUpdateAccountType = z
  .object({
    name: NameSchema.optional(),
    metadata: MetadataSchema,
  })
  .strict()
export type AdminUpdateAccountTypeType = z.infer<typeof AdminUpdateAccountType>
