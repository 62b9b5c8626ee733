import type { MedusaRequest } from "@medusajs/framework/http"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { LedgerError } from "../../../modules/ledger/errors"
import { serializeAccount } from "../../utils/serialize"

/** One account through Query, as the admin API shows it; 404 when unknown. */
export async function retrieveAccount(req: MedusaRequest, id: string, fields?: string[]) {
  const query = req.scope.resolve(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({
    entity: "ledger_account",
    fields: fields ?? req.queryConfig?.fields,
    filters: { id },
  })
  if (!data.length) {
    throw new LedgerError("not_found", `Account ${id} not found`)
  }
  return serializeAccount(data[0])
}
