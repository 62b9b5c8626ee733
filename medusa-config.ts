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

// Boots the plugin's own modules and provider from source, for the demo and the HTTP tests.
// A host app lists the published package under `plugins` instead (see README).
module.exports = defineConfig({
  projectConfig: {
    databaseUrl: process.env.DATABASE_URL,
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
