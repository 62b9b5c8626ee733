import { z } from "@medusajs/framework/zod"
import { BooleanString } from "../../../utils/validators"

export const AdminGetCodeGuardClientsParams = z
  .object({
    blocked: BooleanString.optional(),
    cooling: BooleanString.optional(),
    q: z.string().max(255).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(50),
    offset: z.coerce.number().int().min(0).default(0),
  })
  .strict()
export type AdminGetCodeGuardClientsParamsType = z.infer<typeof AdminGetCodeGuardClientsParams>

/** The key goes in the body: addresses and keys contain ':' and '/', which paths mangle. */
export const AdminClearCodeGuardClient = z.object({ client: z.string().min(1).max(255) }).strict()
export type AdminClearCodeGuardClientType = z.infer<typeof AdminClearCodeGuardClient>
