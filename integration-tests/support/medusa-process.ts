import { ChildProcess, spawn } from "child_process"
import net from "net"
import path from "path"

const ROOT = path.join(__dirname, "../..")

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.listen(0, () => {
      const { port } = srv.address() as net.AddressInfo
      srv.close(() => resolve(port))
    })
    srv.on("error", reject)
  })
}

/** Just enough of axios's surface for the storefront helper, over fetch to another server. */
export function fetchApi(base: string) {
  const send = async (method: string, url: string, body: unknown, config: any) => {
    const res = await fetch(base + url, {
      method,
      headers: { "content-type": "application/json", ...(config?.headers ?? {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    return { status: res.status, data: await res.json().catch(() => null) }
  }
  return {
    get: (url: string, config?: any) => send("GET", url, undefined, config),
    delete: (url: string, config?: any) => send("DELETE", url, undefined, config),
    post: (url: string, body: unknown, config?: any) => send("POST", url, body, config),
  }
}

/**
 * A separate Medusa server process (`medusa start`) on the given database. The test
 * runner's own in-process server always runs with the admin disabled; `admin: true`
 * starts one that serves the built admin (public/admin, see scripts/lib/admin-build.js).
 */
export async function startMedusaProcess(
  databaseUrl: string,
  { admin = false, env = {} }: { admin?: boolean; env?: Record<string, string> } = {}
) {
  const port = await freePort()
  let output = ""
  const child: ChildProcess = spawn(process.execPath, [require.resolve("@medusajs/cli/cli.js"), "start"], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      // Outside "development" Medusa serves the prebuilt admin instead of a Vite dev server.
      NODE_ENV: admin ? "test" : "development",
      MEDUSA_ADMIN_DISABLE: admin ? "false" : "true",
      MEDUSA_DISABLE_TELEMETRY: "true",
      LOG_LEVEL: "error",
      JEST_WORKER_ID: "",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  })
  child.stdout!.on("data", (d) => (output += d))
  child.stderr!.on("data", (d) => (output += d))
  const deadline = Date.now() + 120000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`Medusa process exited (${child.exitCode}):\n${output.slice(-3000)}`)
    }
    const healthy = await fetch(`http://localhost:${port}/health`).then((r) => r.ok, () => false)
    if (healthy) {
      /** SIGTERM, then SIGKILL if it has not exited within 10 s (a Redis worker may linger). */
      const stop = () =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve()
          child.once("exit", () => resolve())
          child.kill("SIGTERM")
          setTimeout(() => child.kill("SIGKILL"), 10_000).unref()
        })
      return { url: `http://localhost:${port}`, child, output: () => output, stop }
    }
    await new Promise((r) => setTimeout(r, 300))
  }
  child.kill("SIGKILL")
  throw new Error(`Medusa process did not start:\n${output.slice(-3000)}`)
}

/** Runs a command to completion; never rejects on a failing command: tests assert on the code. */
export function runCommand(
  cmd: string,
  args: string[],
  opts: { cwd: string; env?: Record<string, string | undefined>; timeoutMs?: number }
): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ["ignore", "pipe", "pipe"] })
    let out = ""
    child.stdout!.on("data", (d) => (out += d))
    child.stderr!.on("data", (d) => (out += d))
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 300_000)
    child.on("close", (code, signal) => {
      clearTimeout(timer)
      resolve({ code: signal ? 128 : code ?? 1, out })
    })
  })
}

/**
 * Runs one command of Medusa's CLI (`npx medusa <args>`, the same cli.js) from the project
 * root, with its medusa-config.ts, against `databaseUrl`; resolves with the exit code and
 * everything it printed.
 */
export async function runMedusaCli(
  args: string[],
  databaseUrl: string,
  { timeoutMs = 180000, env = {} }: { timeoutMs?: number; env?: Record<string, string> } = {}
) {
  const { code, out } = await runCommand(process.execPath, [require.resolve("@medusajs/cli/cli.js"), ...args], {
    cwd: ROOT,
    timeoutMs,
    env: {
      DATABASE_URL: databaseUrl,
      // What a developer's shell has: the plain-text logger at info level.
      NODE_ENV: "development",
      LOG_LEVEL: "info",
      MEDUSA_ADMIN_DISABLE: "true",
      MEDUSA_DISABLE_TELEMETRY: "true",
      JEST_WORKER_ID: "",
      ...env,
    },
  })
  // Without the colour codes, so tests can match the text.
  return { code, output: out.replace(/\u001b\[[0-9;]*m/g, "") }
}
