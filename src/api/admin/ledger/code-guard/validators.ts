import { z } from "@medusajs/framework/zod"
import { BooleanString, LimitParam, OffsetParam, SafeLine } from "../../../utils/validators"

export const AdminGetCodeGuardClientsParams = z
  .object({
    blocked: BooleanString.optional(),
    cooling: BooleanString.optional(),
    q: SafeLine(255).optional(),
    limit: LimitParam(50),
    offset: OffsetParam,
  })
  .strict()
export type AdminGetCodeGuardClientsParamsType = z.infer<typeof AdminGetCodeGuardClientsParams>

/** The key goes in the body: addresses and keys contain ':' and '/', which paths mangle. */
export const AdminClearCodeGuardClient = z.object({ client: SafeLine(255, 1) }).strict()
export type AdminClearCodeGuardClientType = z.infer<typeof AdminClearCodeGuardClient>
