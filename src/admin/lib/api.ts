import { sdk } from "./sdk"

/** A refusal from the ledger's routes: its stable `code` picks the sentence shown. */
export class LedgerApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code?: string
  ) {
    super(message)
  }
}

type Query = Record<string, string | number | boolean | string[] | undefined | null>

function search(query?: Query) {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null || value === "") continue
    if (Array.isArray(value)) value.forEach((v) => params.append(key, v))
    else params.set(key, String(value))
  }
  const s = params.toString()
  return s ? `?${s}` : ""
}

/**
 * The plugin's own admin routes. The JS SDK's client drops the body of an error
 * response (only the message survives), and forms need the ledger's `code` to put the
 * sentence next to the right field, so these calls go through fetch with the same
 * session cookie the SDK uses.
 */
export async function ledgerFetch<T>(path: string, init: { method?: "GET" | "POST" | "DELETE"; body?: unknown; query?: Query } = {}): Promise<T> {
  const base = ((sdk as any).config?.baseUrl ?? "/").replace(/\/$/, "")
  const res = await fetch(`${base}${path}${search(init.query)}`, {
    method: init.method ?? "GET",
    credentials: "include",
    headers: { accept: "application/json", ...(init.body !== undefined ? { "content-type": "application/json" } : {}) },
    body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
  })
  if (!res.ok) {
    const body = await res.json().catch(() => ({}))
    throw new LedgerApiError(body.message ?? res.statusText, res.status, body.code)
  }
  return (await res.json()) as T
}

/** Downloads a CSV the server renders (`format=csv`) under the name it gives. */
export async function downloadCsv(path: string, query: Query = {}, fallbackName = "export.csv") {
  const base = ((sdk as any).config?.baseUrl ?? "/").replace(/\/$/, "")
  const res = await fetch(`${base}${path}${search({ ...query, format: "csv" })}`, { credentials: "include" })
  if (!res.ok) {
    const body = await res.json().catch(() => ({}))
    throw new LedgerApiError(body.message ?? res.statusText, res.status, body.code)
  }
  const name = /filename="?([^";]+)"?/.exec(res.headers.get("content-disposition") ?? "")?.[1] ?? fallbackName
  const url = URL.createObjectURL(await res.blob())
  const a = document.createElement("a")
  a.href = url
  a.download = name
  document.body.appendChild(a)
  a.click()
  a.remove()
  URL.revokeObjectURL(url)
}

/** A fresh idempotency key per form submission, so a double click posts once. */
export function newIdempotencyKey(prefix: string) {
  const random = typeof crypto !== "undefined" && "randomUUID" in crypto ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`
  return `admin-${prefix}-${random}`
}
