import { defineConfig, loadEnv } from "@medusajs/framework/utils"

loadEnv(process.env.NODE_ENV || "development", process.cwd())

// The plugin's options, as a host app passes them under `plugins` (each module gets them).
const pluginOptions = {
  currencies: (process.env.LEDGER_CURRENCIES ?? "usd,eur").split(",").filter(Boolean),
  // A debit that takes a customer's account below this emits ledger.account.low_balance.
  lowBalanceThreshold: Number(process.env.LEDGER_LOW_BALANCE ?? 5),
  // Failed code attempts per address, customer and cart: 3 in a row cool off, 10 in all block.
  codeGuard: {
    maxConsecutiveFailures: Number(process.env.LEDGER_CODE_MAX_CONSECUTIVE ?? 3),
    coolOffSeconds: Number(process.env.LEDGER_CODE_COOL_OFF_SECONDS ?? 900),
    maxFailures: Number(process.env.LEDGER_CODE_MAX_FAILURES ?? 10),
    // Proxies in front of Medusa that append to X-Forwarded-For; 0 keys by the socket's peer.
    trustedProxies: Number(process.env.LEDGER_CODE_TRUSTED_PROXIES ?? 0),
  },
}

// Production shape (README "Running in production"): with REDIS_URL set, Medusa's Redis
// modules replace the in-memory event bus, workflow engine, locking and cache, and
// MEDUSA_WORKER_MODE (server | worker | shared, read by Medusa itself) picks each process's role.
const redisUrl = process.env.REDIS_URL
const redisModules = redisUrl
  ? [
      {
        resolve: "@medusajs/medusa/event-bus-redis",
        // A failed subscriber is retried (the ones that succeeded are not run again); the
        // events a crashed worker was running go back to the queue within ~15 s (BullMQ's
        // defaults, a 30 s lock checked every 30 s, take up to a minute).
        options: {
          redisUrl,
          jobOptions: { attempts: 3, backoff: { type: "exponential", delay: 1000 } },
          workerOptions: { lockDuration: 10_000, stalledInterval: 5_000 },
        },
      },
      { resolve: "@medusajs/medusa/workflow-engine-redis", options: { redis: { redisUrl } } },
      {
        resolve: "@medusajs/medusa/locking",
        options: { providers: [{ resolve: "@medusajs/medusa/locking-redis", id: "locking-redis", is_default: true, options: { redisUrl } }] },
      },
      // The Cache Module; the newer Caching Module is still behind MEDUSA_FF_CACHING in 2.21.
      { resolve: "@medusajs/medusa/cache-redis", options: { redisUrl } },
    ]
  : []

// Boots the plugin's own modules and provider from source, for the demo and the HTTP tests.
// A host app lists the published package under `plugins` instead (see README).
module.exports = defineConfig({
  projectConfig: {
    databaseUrl: process.env.DATABASE_URL,
    redisUrl,
    databaseDriverOptions: {
      pool: { min: 1, max: Number(process.env.DB_POOL_MAX ?? 20) },
    },
    http: {
      storeCors: process.env.STORE_CORS ?? "http://localhost:8000",
      adminCors: process.env.ADMIN_CORS ?? "http://localhost:9000",
      authCors: process.env.AUTH_CORS ?? "http://localhost:9000",
      jwtSecret: process.env.JWT_SECRET || "supersecret",
      cookieSecret: process.env.COOKIE_SECRET || "supersecret",
    },
  },
  admin: {
    disable: process.env.MEDUSA_ADMIN_DISABLE === "true",
  },
  modules: [
    ...redisModules,
    { resolve: "./src/modules/ledger", options: pluginOptions },
    { resolve: "./src/modules/code-guard", options: pluginOptions },
    {
      resolve: "@medusajs/medusa/payment",
      options: {
        providers: [{ resolve: "./src/providers/account", id: "account", options: pluginOptions }],
      },
    },
  ],
})
