/** A request that resolves with the status and body whatever the status, for assertions. */
export type Call = (
  method: "get" | "post" | "delete",
  url: string,
  body?: unknown,
  headers?: Record<string, string>
) => Promise<{ status: number; data: any }>

export function caller(api: any, defaultHeaders: () => Record<string, string> | undefined): Call {
  return async (method, url, body, headers) => {
    const config = { headers: headers ?? defaultHeaders() ?? {}, validateStatus: () => true }
    const res =
      method === "get" || method === "delete"
        ? await api[method](url, config)
        : await api[method](url, body ?? {}, config)
    return { status: res.status, data: res.data }
  }
}
