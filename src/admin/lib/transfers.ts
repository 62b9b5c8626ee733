import type { Transfer } from "./types"

/** Who made a transfer: the admin user's or customer's email, or "System". */
export const authorisedBy = (t: Transfer) => {
  const a = t.authorised_by
  if (!a || a.type === "system") return "System"
  if (a.type === "api_key") return `API key ${a.title ?? a.id ?? ""}${a.email ? ` (${a.email})` : ""}`.trim()
  return a.email ?? `${a.type} ${a.id ?? ""}`.trim()
}
