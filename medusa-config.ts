import { defineConfig, loadEnv } from "@medusajs/framework/utils"

loadEnv(process.env.NODE_ENV || "development", process.cwd())

// Boots the plugin's own module from source, for the demo and the HTTP tests.
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
    {
      resolve: "./src/modules/ledger",
      options: {
        currencies: (process.env.LEDGER_CURRENCIES ?? "usd,eur")
          .split(",")
          .filter(Boolean),
      },
    },
  ],
})
