import { ChildProcess, spawn, spawnSync } from "child_process"
import fs from "fs"
import os from "os"
import path from "path"
import { freePort, runCommand } from "./medusa-process"

/**
 * What the install test needs to do as a user would: pack the plugin, lay out a fresh
 * Medusa app, install the tarball into it and run Medusa's CLI there.
 */

export const ROOT = path.join(__dirname, "..", "..")
/**
 * The installed packages the app gets: this repository's, unless INSTALL_TEST_NODE_MODULES
 * names another node_modules (e.g. one with another Medusa 2.21 patch installed).
 */
const APP_PACKAGES = process.env.INSTALL_TEST_NODE_MODULES || path.join(ROOT, "node_modules")
/** The app's own Medusa CLI, as `npx medusa` in that directory runs it. */
const medusaCli = (dir: string) => path.join(dir, "node_modules", "@medusajs", "cli", "cli.js")

/** Runs a command to completion; the caller asserts on code and output. */
export const run = runCommand

/** `medusa <args>` in a directory, with Medusa's own CLI. */
export function medusa(cwd: string, args: string[], env: Record<string, string | undefined> = {}, timeoutMs?: number) {
  return run(process.execPath, [medusaCli(cwd), ...args], { cwd, env, timeoutMs })
}

export function tempDir(name: string) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `${name}-`))
}

/**
 * A copy of the repository as a clone would have it (tracked files, and new ones not yet
 * committed, none of what .gitignore leaves out: no .medusa, no public/), sharing this
 * checkout's node_modules. Packing the copy runs `prepare` from scratch.
 */
export function copyRepository(dest: string) {
  const listed = spawnSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: ROOT, encoding: "utf8" })
  if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`)
  for (const file of listed.stdout.split("\0").filter(Boolean)) {
    const from = path.join(ROOT, file)
    if (!fs.existsSync(from) || fs.lstatSync(from).isSymbolicLink()) continue
    fs.mkdirSync(path.dirname(path.join(dest, file)), { recursive: true })
    fs.copyFileSync(from, path.join(dest, file))
  }
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dest, "node_modules"))
}

/** `npm pack` (which runs `prepare`, the plugin build); returns the tarball's path. */
export async function pack(pluginDir: string, destination: string) {
  const packed = await run("npm", ["pack", "--json", "--pack-destination", destination], { cwd: pluginDir })
  if (packed.code !== 0) throw new Error(`npm pack failed:\n${packed.out.slice(-4000)}`)
  const json = JSON.parse(packed.out.slice(packed.out.indexOf("[")))
  return path.join(destination, json[0].filename as string)
}

/** The files `npm pack --dry-run` would put in the tarball. */
export async function packedFiles(pluginDir: string): Promise<string[]> {
  const dry = await run("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: pluginDir })
  if (dry.code !== 0) throw new Error(`npm pack --dry-run failed:\n${dry.out.slice(-4000)}`)
  const json = JSON.parse(dry.out.slice(dry.out.indexOf("[")))
  return (json[0].files as { path: string }[]).map((f) => f.path).sort()
}

/**
 * "Installs" the tarball the way npm does when every dependency is already present: it
 * unpacks into node_modules/medusa-accounts. Everything else in the app's node_modules is a
 * symlink to already installed packages (APP_PACKAGES: by default this repository's, the
 * same Medusa 2.21 the app would install), so the install takes a second instead of a full
 * `npm install` of Medusa. The caller checks that those packages satisfy the plugin's
 * dependency and peer ranges, which is what npm would check.
 */
export function installTarball(appDir: string, tarball: string) {
  const modules = path.join(appDir, "node_modules")
  fs.mkdirSync(modules, { recursive: true })
  for (const entry of fs.readdirSync(APP_PACKAGES)) {
    if (entry === ".package-lock.json" || entry === "medusa-accounts") continue
    fs.symlinkSync(path.join(APP_PACKAGES, entry), path.join(modules, entry))
  }
  const target = path.join(modules, "medusa-accounts")
  fs.mkdirSync(target)
  const untar = spawnSync("tar", ["-xzf", tarball, "-C", target, "--strip-components=1"], { encoding: "utf8" })
  if (untar.status !== 0) throw new Error(`tar failed: ${untar.stderr}`)
  return target
}

/** The installed version of a package, as the app resolves it. */
export function installedVersion(appDir: string, name: string): string {
  // Not require.resolve: some packages' exports maps hide their package.json.
  const file = fs.realpathSync(path.join(appDir, "node_modules", name, "package.json"))
  return JSON.parse(fs.readFileSync(file, "utf8")).version
}

/** `medusa start` in the built server (.medusa/server), as `npm run start` there would. */
export async function startBuiltServer(serverDir: string, env: Record<string, string>) {
  const port = await freePort()
  let output = ""
  const child: ChildProcess = spawn(process.execPath, [medusaCli(serverDir), "start"], {
    cwd: serverDir,
    env: { ...process.env, ...env, PORT: String(port), LOG_LEVEL: "error", JEST_WORKER_ID: "" },
    stdio: ["ignore", "pipe", "pipe"],
  })
  child.stdout!.on("data", (d) => (output += d))
  child.stderr!.on("data", (d) => (output += d))
  const url = `http://localhost:${port}`
  const deadline = Date.now() + 120_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the built server exited (${child.exitCode}):\n${output.slice(-4000)}`)
    if (await fetch(`${url}/health`).then((r) => r.ok, () => false)) {
      const stop = () =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve()
          child.once("exit", () => resolve())
          child.kill("SIGTERM")
          setTimeout(() => child.kill("SIGKILL"), 10_000).unref()
        })
      return { url, stop, output: () => output }
    }
    await new Promise((r) => setTimeout(r, 300))
  }
  child.kill("SIGKILL")
  throw new Error(`the built server did not answer /health:\n${output.slice(-4000)}`)
}

/** The fenced block that follows `marker` in the README. */
export function readmeBlock(marker: string): string {
  const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8")
  const at = readme.indexOf(marker)
  if (at < 0) throw new Error(`README has no "${marker}"`)
  const match = /```[a-z]*\n([\s\S]*?)```/.exec(readme.slice(at))
  if (!match) throw new Error(`no code block after "${marker}"`)
  return match[1]
}
