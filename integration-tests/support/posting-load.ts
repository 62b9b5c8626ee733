/**
 * Clients that post transfers against one or more Medusa servers, each with its own
 * source account and its own sequence of idempotency keys, retrying a failed posting with
 * the same key (on the next server) until it lands — what a careful API client does. The
 * tests break things underneath (kill a server, restart PostgreSQL) and then check that
 * every key landed exactly once.
 */
type Failure = { key: string; status: number; code: string; message: string; server: string; ms: number }

export async function postingLoad(
  servers: string | string[],
  credentials: { email: string; password: string },
  { clients = 4, prefix = "restart", amount = 1 }: { clients?: number; prefix?: string; amount?: number } = {}
) {
  const urls = Array.isArray(servers) ? servers : [servers]
  const login = await fetch(`${urls[0]}/auth/user/emailpass`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(credentials),
  })
  const { token } = await login.json()
  if (!token) throw new Error(`login failed: ${login.status}`)
  const headers = { "content-type": "application/json", authorization: `Bearer ${token}` }

  /** One request; a dropped connection or a timeout is status 0 with the error's code. */
  const call = async (base: string, method: string, path: string, body?: unknown, extra: Record<string, string> = {}) => {
    try {
      const res = await fetch(base + path, {
        method,
        headers: { ...headers, ...extra },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(90_000),
      })
      const data = await res.json().catch(() => null)
      return { status: res.status, data }
    } catch (e: any) {
      return { status: 0, data: { code: e?.cause?.code ?? e?.name ?? "network_error", message: String(e?.message ?? e) } }
    }
  }
  const must = async (method: string, path: string, body?: unknown) => {
    const res = await call(urls[0], method, path, body)
    if (res.status >= 300 || res.status === 0) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(res.data)}`)
    return res.data
  }

  const destination = (await must("POST", "/admin/accounts", { name: `${prefix} sink`, currency_code: "usd" })).account
  const sources: string[] = []
  for (let c = 0; c < clients; c++) {
    const body = { name: `${prefix} source ${c}`, currency_code: "usd", initial_amount: "100000", source_account_id: "@bank" }
    sources.push((await must("POST", "/admin/accounts", body)).account.id)
  }

  const landed: { key: string; id: string; server: string }[] = []
  const failed: Failure[] = []
  let stopping = false

  const client = async (c: number) => {
    let attempt = 0
    for (let n = 0; !stopping; n++) {
      const key = `${prefix}-${c}-${n}`
      // Retry the same key until it lands, even once told to stop: no key is left behind.
      for (;;) {
        const server = urls[(c + attempt++) % urls.length]
        const body = { source_account_id: sources[c], destination_account_id: destination.id, amount: String(amount), description: key }
        const started = Date.now()
        const res = await call(server, "POST", "/admin/transfers", body, { "idempotency-key": key })
        if (res.status >= 200 && res.status < 300) {
          landed.push({ key, id: res.data.transfer.id, server })
          break
        }
        failed.push({
          key,
          status: res.status,
          code: res.data?.code ?? res.data?.type ?? "none",
          message: String(res.data?.message ?? ""),
          server,
          ms: Date.now() - started,
        })
        await new Promise((r) => setTimeout(r, 100))
      }
    }
  }

  const waitFor = async (count: () => number, more: number, what: string, timeoutMs = 120_000) => {
    const target = count() + more
    const deadline = Date.now() + timeoutMs
    while (count() < target) {
      if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${more} more ${what}; failures so far: ${JSON.stringify(failed.slice(-5))}`)
      await new Promise((r) => setTimeout(r, 20))
    }
  }

  return {
    clients,
    destination,
    sources,
    /** Runs the clients while `script` breaks things; resolves once every client has stopped. */
    async run(script: () => Promise<void>) {
      const loops = Array.from({ length: clients }, (_, c) => client(c))
      try {
        await script()
      } finally {
        stopping = true
        await Promise.all(loops)
      }
    },
    waitForSuccesses: (more: number) => waitFor(() => landed.length, more, "successes"),
    waitForFailures: (more: number) => waitFor(() => failed.length, more, "failures"),
    landed: () => landed,
    failures: () => failed,
    /** Every key that was answered 2xx: all of them, since each client retries until success. */
    keys: () => landed.map((l) => l.key),
    call: (method: string, path: string, body?: unknown) => call(urls[urls.length - 1], method, path, body),
    destinationBalance: async () => Number((await call(urls[urls.length - 1], "GET", `/admin/accounts/${destination.id}`)).data.account.balance),
    verify: async () => (await call(urls[urls.length - 1], "GET", "/admin/ledger/verify")).data,
  }
}
