import type { MedusaRequest } from "@medusajs/framework/http"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"

/**
 * Of the fields the admin API computes (not columns Query can read), those the request
 * wants: all of them by default; with `fields=a,b` only those named; with `fields=+a,-b`
 * the defaults plus or minus those named (as Medusa reads `fields`).
 */
export function wantedExtras<T extends string>(req: MedusaRequest, extras: readonly T[]): Set<T> {
  const raw = (req.validatedQuery as { fields?: unknown } | undefined)?.fields
  if (typeof raw !== "string" || !raw.trim()) {
    return new Set(extras)
  }
  const tokens = raw.split(",").map((t) => t.trim()).filter(Boolean)
  const replaces = tokens.some((t) => !t.startsWith("+") && !t.startsWith("-"))
  const named = (t: string, v: string) => t.replace(/^[+-]/, "") === v || t.replace(/^[+-]/, "").startsWith(`${v}.`)
  return new Set(
    extras.filter((v) =>
      replaces
        ? tokens.some((t) => !t.startsWith("-") && named(t, v))
        : !tokens.some((t) => t.startsWith("-") && named(t, v))
    )
  )
}

/** The request's Query fields without the computed ones (Query knows nothing of them), id always in. */
export function queryFieldsOf(req: MedusaRequest, extras: readonly string[], fallback: string[] = []): string[] {
  const fields: string[] = req.queryConfig?.fields ?? fallback
  const kept = fields.filter((f) => !extras.includes(f.split(".")[0]))
  return kept.includes("id") ? kept : ["id", ...kept]
}

export type CustomerSummary = { id: string; email: string | null; first_name: string | null; last_name: string | null }

/** Customers by id from Medusa's customer module, in one query; unknown ids are left out. */
export async function customersById(req: MedusaRequest, ids: (string | null | undefined)[]): Promise<Map<string, CustomerSummary>> {
  const unique = [...new Set(ids.filter((id): id is string => !!id))]
  if (!unique.length) {
    return new Map()
  }
  const query = req.scope.resolve(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({
    entity: "customer",
    fields: ["id", "email", "first_name", "last_name"],
    filters: { id: unique },
    pagination: { skip: 0, take: unique.length },
  })
  return new Map(
    data.map((c: any) => [c.id, { id: c.id, email: c.email ?? null, first_name: c.first_name ?? null, last_name: c.last_name ?? null }])
  )
}

/** Ids of customers whose email contains `q` (case ignored), at most `limit`. */
export async function customerIdsByEmail(req: MedusaRequest, q: string, limit = 200): Promise<string[]> {
  const query = req.scope.resolve(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({
    entity: "customer",
    fields: ["id"],
    filters: { email: { $ilike: `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` } },
    pagination: { skip: 0, take: limit },
  })
  return data.map((c: any) => c.id)
}

export type AuthorisedBy = {
  type: "user" | "customer" | "api_key" | "system"
  id: string | null
  email: string | null
  /** an API key's title */
  title?: string | null
}

/**
 * Who made each transfer, from its `actor_type`/`actor_id`: admin users (user module),
 * customers (customer module), secret API keys (title; email of the user who created the
 * key) or the system. One query per kind of actor on the page, whatever its size.
 */
export async function authorisedByOf(
  req: MedusaRequest,
  transfers: { actor_type?: string | null; actor_id?: string | null }[]
): Promise<AuthorisedBy[]> {
  const query = req.scope.resolve(ContainerRegistrationKeys.QUERY)
  const idsOf = (type: string) => [...new Set(transfers.filter((t) => t.actor_type === type && t.actor_id).map((t) => t.actor_id!))]
  const lookup = async (entity: string, ids: string[], fields: string[]) => {
    if (!ids.length) return new Map<string, any>()
    const { data } = await query.graph({ entity, fields, filters: { id: ids }, pagination: { skip: 0, take: ids.length } })
    return new Map<string, any>(data.map((row: any) => [row.id, row]))
  }
  const [users, customers, keys] = await Promise.all([
    lookup("user", idsOf("user"), ["id", "email"]),
    lookup("customer", idsOf("customer"), ["id", "email"]),
    lookup("api_key", idsOf("api_key"), ["id", "title", "created_by"]),
  ])
  const keyOwners = await lookup("user", [...new Set([...keys.values()].map((k) => k.created_by).filter(Boolean))] as string[], ["id", "email"])
  return transfers.map((t) => {
    const id = t.actor_id ?? null
    switch (t.actor_type) {
      case "user":
        return { type: "user", id, email: (id && users.get(id)?.email) ?? null }
      case "customer":
        return { type: "customer", id, email: (id && customers.get(id)?.email) ?? null }
      case "api_key": {
        const key = id ? keys.get(id) : undefined
        return { type: "api_key", id, email: keyOwners.get(key?.created_by)?.email ?? null, title: key?.title ?? null }
      }
      default:
        return { type: "system", id: null, email: null }
    }
  })
}
