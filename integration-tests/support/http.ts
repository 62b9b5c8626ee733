import http from "http"

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

/**
 * Request config that connects from `localAddress` (any address of 127.0.0.0/8), so the
 * server sees a different socket peer per simulated client, as the code guard keys on.
 */
export function fromAddress(api: any, localAddress: string) {
  return {
    httpAgent: new http.Agent({ localAddress }),
    baseURL: String(api.defaults.baseURL).replace("//localhost:", "//127.0.0.1:"),
  }
}

/** `api` as another client address sees it (get, post, delete). */
export function apiFrom(api: any, localAddress: string) {
  const bind = (config: Record<string, unknown> = {}) => ({ ...config, ...fromAddress(api, localAddress) })
  return {
    get: (url: string, config?: Record<string, unknown>) => api.get(url, bind(config)),
    delete: (url: string, config?: Record<string, unknown>) => api.delete(url, bind(config)),
    post: (url: string, body?: unknown, config?: Record<string, unknown>) => api.post(url, body, bind(config)),
  }
}
