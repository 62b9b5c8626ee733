import { z } from "@medusajs/framework/zod"
import { createFindParams } from "@medusajs/medusa/api/utils/validators"
import { MetadataSchema, OneOrMany } from "../../utils/validators"

export const AdminGetAccountTypesParams = createFindParams({ limit: 100, offset: 0 }).extend({
  q: z.string().optional(),
  id: OneOrMany(z.string()).optional(),
  code: OneOrMany(z.string()).optional(),
  parent_id: z.string().optional(),
})
export type AdminGetAccountTypesParamsType = z.infer<typeof AdminGetAccountTypesParams>

export const AdminCreateAccountType = z
  .object({
    name: z.string().min(1).max(200),
    code: z.string().optional(),
    parent_id: z.string().nullish(),
    metadata: MetadataSchema,
  })
  .strict()
export type AdminCreateAccountTypeType = z.infer<typeof AdminCreateAccountType>

/** A type's code never changes (reports and the core accounts find types by it): name and metadata only. */
export const AdminUpdateAccountType = z
  .object({
    name: z.string().min(1).max(200).optional(),
    metadata: MetadataSchema,
  })
  .strict()
export type AdminUpdateAccountTypeType = z.infer<typeof AdminUpdateAccountType>
