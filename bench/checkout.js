/**
 * The checkout part of `npm run bench`: full storefront checkouts through a booted Medusa
 * (`medusa start` on a bench database that is created, migrated and seeded with the store
 * seed), timed from the first storefront call to the order, one checkout at a time:
 *
 *   a. Medusa's system provider (pp_system_default) — the reference;
 *   b. the account provider (pp_account_account) with a gift card code;
 *   c. paid entirely by a wallet allocation (a cart credit line; Medusa skips payment);
 *   d. split: a wallet allocation for half, pp_system_default for the rest.
 *
 * The flows run interleaved, each round in another order (a b c d, b c d a, ...), so that
 * whatever drifts during the run (table sizes, caches) hits them alike. After each checkout
 * the bench pauses briefly, so that the subscribers an order sets off (captures on
 * order.placed) run before the next checkout starts; the Medusa process's CPU time over the
 * checkout and that pause is recorded as its CPU cost, background work included.
 * Used by scripts/bench.js.
 */
const { spawn, spawnSync } = require("child_process")
const fs = require("fs")
const net = require("net")
const os = require("os")
const path = require("path")

const ROOT = path.join(__dirname, "..")
const MEDUSA = require.resolve("@medusajs/cli/cli.js")
const DB_NAME = "ledger_bench_checkout"

const FLOWS = [
  { key: "a", label: "a. pp_system_default (Medusa)", provider: "pp_system_default" },
  { key: "b", label: "b. pp_account_account, gift card code", provider: "pp_account_account", code: true },
  { key: "c", label: "c. wallet allocation pays all", allocation: "all" },
  { key: "d", label: "d. split: allocation + pp_system_default", allocation: "half", provider: "pp_system_default" },
]
const STEPS = ["cart", "shipping", "allocation", "payment", "complete"]
// Idle time after each checkout for the subscribers it set off (not part of the latency).
const SETTLE_MS = 250
const TICK_MS = 10 // USER_HZ = 100 on Linux

/** CPU time (user + system) used so far by these processes, in ms; null off Linux. */
function cpuMsOf(pids) {
  let ticks = 0
  for (const pid of pids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8")
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
      ticks += Number(f[11]) + Number(f[12])
    } catch {
      return null
    }
  }
  return ticks * TICK_MS
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.listen(0, () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
    srv.on("error", reject)
  })
}

function medusaEnv(databaseUrl, extra = {}) {
  return {
    ...process.env,
    DATABASE_URL: databaseUrl,
    NODE_ENV: "production",
    MEDUSA_ADMIN_DISABLE: "true",
    MEDUSA_DISABLE_TELEMETRY: "true",
    LOG_LEVEL: "error",
    ...extra,
  }
}

/** Runs a medusa CLI command to completion; returns its duration, or throws with its output. */
function medusaRun(args, env) {
  const started = Date.now()
  const r = spawnSync(process.execPath, [MEDUSA, ...args], { cwd: ROOT, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 })
  if (r.status !== 0) {
    throw new Error(`medusa ${args.join(" ")} failed (${r.status}):\n${`${r.stdout}\n${r.stderr}`.slice(-4000)}`)
  }
  return (Date.now() - started) / 1000
}

async function startServer(databaseUrl) {
  const port = await freePort()
  let output = ""
  const started = Date.now()
  const child = spawn(process.execPath, [MEDUSA, "start"], {
    cwd: ROOT,
    env: medusaEnv(databaseUrl, { PORT: String(port) }),
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  })
  const keep = (d) => (output = (output + d).slice(-8000))
  child.stdout.on("data", keep)
  child.stderr.on("data", keep)
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode) return
    const exited = new Promise((r) => child.once("exit", r))
    try {
      process.kill(-child.pid, "SIGTERM")
    } catch {}
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, "SIGKILL")
      } catch {}
    }, 10000)
    await exited
    clearTimeout(timer)
  }
  const deadline = Date.now() + 180000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`medusa start exited (${child.exitCode}):\n${output}`)
    const ok = await fetch(`http://localhost:${port}/health`).then((r) => r.ok, () => false)
    if (ok) return { url: `http://localhost:${port}`, pid: child.pid, bootSeconds: (Date.now() - started) / 1000, stop, output: () => output }
    await new Promise((r) => setTimeout(r, 250))
  }
  await stop()
  throw new Error(`medusa start did not answer /health within 3 minutes:\n${output}`)
}

function client(base) {
  return async function call(method, url, body, headers) {
    const res = await fetch(base + url, {
      method,
      headers: { "content-type": "application/json", ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await res.text()
    let data = null
    try {
      data = JSON.parse(text)
    } catch {
      data = text
    }
    if (res.status >= 300) {
      const err = new Error(`${method} ${url} → ${res.status} ${typeof data === "string" ? data : JSON.stringify(data)}`.slice(0, 600))
      err.status = res.status
      throw err
    }
    return data
  }
}

/** One storefront checkout, the calls @medusajs/js-sdk makes; returns per-step and total ms. */
async function checkout(call, headers, info, flow, code) {
  const steps = {}
  const t0 = performance.now()
  let t = t0
  const lap = (name) => {
    const now = performance.now()
    steps[name] = now - t
    t = now
  }
  const { cart } = await call(
    "POST",
    "/store/carts",
    {
      region_id: info.region_id,
      items: [{ variant_id: info.variant_id, quantity: 1 }],
      shipping_address: { first_name: "Bench", last_name: "Shopper", address_1: "1 Main St", city: "New York", country_code: "us", postal_code: "10001" },
    },
    headers
  )
  lap("cart")
  const shipped = await call("POST", `/store/carts/${cart.id}/shipping-methods`, { option_id: info.shipping_option_id }, headers)
  lap("shipping")
  if (flow.allocation) {
    const amount = flow.allocation === "half" ? Math.round(shipped.cart.total * 50) / 100 : undefined
    await call("POST", `/store/carts/${cart.id}/account-allocations`, { account_id: info.wallet_id, ...(amount ? { amount } : {}) }, headers)
    lap("allocation")
  }
  if (flow.provider) {
    const { payment_collection } = await call("POST", "/store/payment-collections", { cart_id: cart.id }, headers)
    await call(
      "POST",
      `/store/payment-collections/${payment_collection.id}/payment-sessions`,
      { provider_id: flow.provider, data: flow.code ? { code } : {} },
      headers
    )
    lap("payment")
  }
  const done = await call("POST", `/store/carts/${cart.id}/complete`, {}, headers)
  lap("complete")
  if (done.type !== "order") {
    throw new Error(`cart ${cart.id} did not complete: ${JSON.stringify(done).slice(0, 400)}`)
  }
  return { ms: performance.now() - t0, steps, order_id: done.order.id, total: Number(done.order.total) }
}

/**
 * @param {object} o
 * @param {(db: string) => string} o.dbUrl       URL of a database on the bench's server
 * @param {Function} o.createDatabase            scripts/lib/db.js createDatabase
 * @param {(m: string) => void} o.log
 * @param {number} o.rounds                       timed checkouts per flow
 * @param {number} o.warmup                       untimed checkouts per flow first
 * @param {Function} o.percentile                 (sorted, p) → value
 * @param {Function} o.cpuSnapshot
 * @param {Function} o.cpuBetween                 (a, b, clientPids, databases) → CPU split
 */
async function checkoutSection(o) {
  const databaseUrl = o.dbUrl(DB_NAME)
  const prep = {}
  o.log(`checkout: creating ${DB_NAME}, migrating (medusa db:migrate)`)
  await o.createDatabase(o.dbUrl("postgres"), DB_NAME, { drop: true })
  prep.migrate_s = medusaRun(["db:migrate"], medusaEnv(databaseUrl))
  const infoFile = path.join(os.tmpdir(), `medusa-accounts-bench-checkout-${process.pid}.json`)
  const cards = o.rounds + o.warmup
  o.log(`checkout: seeding the store (medusa exec ./bench/checkout-seed.ts, ${cards} gift cards)`)
  prep.seed_s = medusaRun(["exec", "./bench/checkout-seed.ts"], medusaEnv(databaseUrl, { BENCH_CHECKOUT_INFO: infoFile, BENCH_CHECKOUT_CARDS: String(cards) }))
  const info = JSON.parse(fs.readFileSync(infoFile, "utf8"))
  fs.rmSync(infoFile, { force: true })

  o.log("checkout: starting Medusa (medusa start)")
  const server = await startServer(databaseUrl)
  prep.boot_s = server.bootSeconds
  try {
    const call = client(server.url)
    const pk = { "x-publishable-api-key": info.publishable_key }
    const { token } = await call("POST", "/auth/customer/emailpass", { email: info.shopper.email, password: info.shopper.password }, pk)
    const headers = { ...pk, authorization: `Bearer ${token}` }
    const codes = [...info.gift_card_codes]
    const samples = Object.fromEntries(FLOWS.map((f) => [f.key, []]))
    const errors = Object.fromEntries(FLOWS.map((f) => [f.key, 0]))
    let firstError = null
    const serverPids = [server.pid, ...childPids(server.pid)]
    const run = async (flow, keep) => {
      try {
        const cpu0 = cpuMsOf(serverPids)
        const r = await checkout(call, headers, info, flow, flow.code ? codes.shift() : undefined)
        await new Promise((res) => setTimeout(res, SETTLE_MS))
        const cpu1 = cpuMsOf(serverPids)
        r.cpu_ms = cpu0 === null || cpu1 === null ? null : cpu1 - cpu0
        if (keep) samples[flow.key].push(r)
      } catch (e) {
        errors[flow.key]++
        firstError = firstError ?? `${flow.key}: ${e.message}`
        if (Object.values(errors).reduce((a, b) => a + b, 0) > 5) throw new Error(`checkout bench: too many failures, first: ${firstError}`)
      }
    }

    o.log(`checkout: warm-up, ${o.warmup} untimed checkout(s) per flow`)
    const round = (i) => FLOWS.map((_, j) => FLOWS[(i + j) % FLOWS.length])
    for (let i = 0; i < o.warmup; i++) for (const flow of round(i)) await run(flow, false)
    o.log(`checkout: ${o.rounds} timed checkouts per flow, flows interleaved, one at a time`)
    const cpu0 = o.cpuSnapshot()
    const started = Date.now()
    for (let i = 0; i < o.rounds; i++) for (const flow of round(i)) await run(flow, true)
    const seconds = (Date.now() - started) / 1000
    const cpu = o.cpuBetween(cpu0, o.cpuSnapshot(), serverPids, [DB_NAME])

    // Subscribers (captures on order.placed) run after the response: let them finish, then check the books.
    await new Promise((r) => setTimeout(r, 2000))
    const admin = await call("POST", "/auth/user/emailpass", info.admin)
    const adminHeaders = { authorization: `Bearer ${admin.token}` }
    const verify = await call("GET", "/admin/ledger/verify", undefined, adminHeaders)
    const orders = await call("GET", "/admin/orders?limit=1&fields=id", undefined, adminHeaders)
    const wallet = await call("GET", `/admin/accounts/${info.wallet_id}`, undefined, adminHeaders)

    const stat = (values) => {
      const sorted = [...values].sort((a, b) => a - b)
      return {
        median_ms: o.percentile(sorted, 50),
        p95_ms: o.percentile(sorted, 95),
        mean_ms: sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : null,
        min_ms: sorted[0] ?? null,
        max_ms: sorted[sorted.length - 1] ?? null,
      }
    }
    const flows = FLOWS.map((f) => {
      const s = samples[f.key]
      const steps = {}
      for (const name of STEPS) {
        const v = s.map((x) => x.steps[name]).filter((x) => x !== undefined)
        if (v.length) steps[name] = stat(v).median_ms
      }
      return {
        key: f.key,
        label: f.label,
        provider: f.provider ?? null,
        allocation: f.allocation ?? null,
        checkouts: s.length,
        errors: errors[f.key],
        ...stat(s.map((x) => x.ms)),
        step_median_ms: steps,
        // Medusa's CPU per checkout, its subscribers included (resolution 10 ms)
        server_cpu_ms_median: s.every((x) => x.cpu_ms !== null) ? stat(s.map((x) => x.cpu_ms)).median_ms : null,
        // in run order, to see any trend over the run
        samples_ms: s.map((x) => Math.round(x.ms * 10) / 10),
      }
    })
    const ref = flows[0]
    for (const f of flows) {
      f.ratio_median_vs_a = ref.median_ms ? f.median_ms / ref.median_ms : null
      f.ratio_p95_vs_a = ref.p95_ms ? f.p95_ms / ref.p95_ms : null
      f.ratio_server_cpu_vs_a = ref.server_cpu_ms_median ? f.server_cpu_ms_median / ref.server_cpu_ms_median : null
    }
    return {
      database: DB_NAME,
      server: "medusa start (NODE_ENV=production, LOG_LEVEL=error, admin disabled), in-memory event bus and workflow engine",
      cart: `1 x ${info.item_price.toFixed(2)} item + ${"10.00"} flat shipping, logged-in shopper`,
      rounds: o.rounds,
      warmup: o.warmup,
      settle_ms: SETTLE_MS,
      seconds,
      prep,
      cpu,
      flows,
      first_error: firstError,
      orders_in_db: orders.count,
      wallet_after: { balance: wallet.account.balance, held: wallet.account.held },
      verify_ok: verify.ok,
      verify_failed: (verify.checks ?? []).filter((c) => !c.ok).map((c) => c.name),
    }
  } finally {
    await server.stop()
  }
}

/** Descendants of a process (Linux /proc), for the CPU split. */
function childPids(pid) {
  const out = []
  try {
    const all = fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d))
    const parent = new Map()
    for (const p of all) {
      try {
        const stat = fs.readFileSync(`/proc/${p}/stat`, "utf8")
        parent.set(Number(p), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]))
      } catch {}
    }
    const queue = [pid]
    while (queue.length) {
      const p = queue.shift()
      for (const [child, pp] of parent) if (pp === p) out.push(child), queue.push(child)
    }
  } catch {}
  return out
}

module.exports = { checkoutSection, FLOWS, DB_NAME }
