import fs from "fs"
import { builtinModules } from "module"
import path from "path"
import { launchChromium, loginToAdmin } from "../support/browser"
import {
  ROOT,
  copyRepository,
  installTarball,
  installedVersion,
  medusa,
  pack,
  packedFiles,
  readmeBlock,
  run,
  startBuiltServer,
  tempDir,
} from "../support/app-install"

const { createDatabase, urlFromEnv } = require("../../scripts/lib/db")
const semver = require("semver")

/**
 * The plugin as a user gets it: packed from a copy of the repository, installed into a
 * fresh Medusa app configured exactly as the README says, built and started there.
 */

jest.setTimeout(600_000)

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"))
const FIXTURE = path.join(__dirname, "app")
const ADMIN = { email: "admin@fresh-app.test", password: "supersecret" }
const step = (name: string, started: number) => console.log(`[install] ${name}: ${((Date.now() - started) / 1000).toFixed(1)} s`)

let work: string
let pluginDir: string
let tarball: string
let files: string[]

beforeAll(async () => {
  work = tempDir("medusa-accounts-install")
  pluginDir = path.join(work, "medusa-accounts")
  copyRepository(pluginDir)
  const t = Date.now()
  tarball = await pack(pluginDir, work)
  step("npm pack (prepare builds the plugin)", t)
  files = await packedFiles(pluginDir)
})

afterAll(() => {
  if (work && !process.env.KEEP_INSTALL_DIR) fs.rmSync(work, { recursive: true, force: true })
})

describe("the package", () => {
  it("packs only the built plugin, README, LICENSE and package.json", () => {
    const outside = files.filter((f) => !f.startsWith(".medusa/server/src/") && !["README.md", "LICENSE", "package.json"].includes(f))
    expect(outside).toEqual([])
    expect(files).toEqual(expect.arrayContaining(["README.md", "LICENSE", "package.json"]))
    // Nothing a running app does not need: tests, the bench, the demo, dev config.
    expect(files.filter((f) => /__tests__|\.spec\.|\.test\.|integration-tests|bench|demo|seed|medusa-config|tsconfig/.test(f))).toEqual([])
  })

  it("ships JavaScript with type declarations behind every export", () => {
    for (const target of ["modules/ledger", "modules/code-guard", "providers/account", "workflows"]) {
      expect(files).toContain(`.medusa/server/src/${target}/index.js`)
      expect(files).toContain(`.medusa/server/src/${target}/index.d.ts`)
    }
    expect(files).toContain(".medusa/server/src/admin/index.mjs")
    const js = files.filter((f) => f.endsWith(".js") && !f.includes("/src/admin/"))
    const untyped = js.filter((f) => !files.includes(f.replace(/\.js$/, ".d.ts")))
    expect(untyped).toEqual([])
    // The migrations travel with the module.
    expect(files.filter((f) => /modules\/ledger\/migrations\/Migration\d+\.js$/.test(f)).length).toBeGreaterThanOrEqual(6)
    for (const [subpath, target] of Object.entries<any>(pkg.exports)) {
      if (typeof target === "object" && target.types && !subpath.includes("*")) {
        expect(files).toContain(target.types.replace(/^\.\//, ""))
      }
    }
  })

  it("runtime code requires only Node, its dependencies and its peers", () => {
    const allowed = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})])
    // The admin bundle's own imports, which Medusa's admin build provides to every extension.
    const adminProvided = new Set(["react", "react-dom", "react-router-dom", "@tanstack/react-query"])
    const unpacked = tempDir("medusa-accounts-unpacked")
    try {
      const untar = require("child_process").spawnSync("tar", ["-xzf", tarball, "-C", unpacked])
      expect(untar.status).toBe(0)
      const bad: string[] = []
      for (const file of files.filter((f) => /\.(js|mjs)$/.test(f))) {
        const source = fs.readFileSync(path.join(unpacked, "package", file), "utf8")
        const specifiers = [...source.matchAll(/(?:require\(|\bfrom\s*|import\()\s*["']([^"'./\s][^"'\s]*)["']/g)].map((m) => m[1])
        for (const spec of specifiers) {
          const name = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]
          const ok =
            builtinModules.includes(name.replace(/^node:/, "")) ||
            allowed.has(name) ||
            (file.includes("/src/admin/") && adminProvided.has(name))
          if (!ok) bad.push(`${file}: ${spec}`)
        }
      }
      expect(bad).toEqual([])
    } finally {
      fs.rmSync(unpacked, { recursive: true, force: true })
    }
  })

  it("peers accept every 2.21 patch and nothing else; test-utils is not one", () => {
    const peers = pkg.peerDependencies
    expect(peers["@medusajs/test-utils"]).toBeUndefined()
    for (const name of ["@medusajs/framework", "@medusajs/medusa", "@medusajs/cli", "@medusajs/admin-sdk", "@medusajs/js-sdk", "@medusajs/icons"]) {
      for (const v of ["2.21.0", "2.21.1", "2.21.2", "2.21.9"]) expect(semver.satisfies(v, peers[name])).toBe(true)
      for (const v of ["2.20.9", "2.22.0", "3.0.0"]) expect(semver.satisfies(v, peers[name])).toBe(false)
    }
    // @medusajs/ui as each 2.21 patch's dashboard pins it (4.2.4, 4.2.5, 4.2.6).
    for (const v of ["4.2.4", "4.2.5", "4.2.6"]) expect(semver.satisfies(v, peers["@medusajs/ui"])).toBe(true)
  })

  it("the models and the committed migrations agree (npm run db:generate finds nothing to do)", async () => {
    const generated = await run("npm", ["run", "db:generate"], { cwd: pluginDir })
    expect(generated.code).toBe(0)
    expect(generated.out).toContain("No changes detected")
  })
})

describe("a fresh Medusa app with the packed plugin", () => {
  let app: string
  let dbUrl: string
  let env: Record<string, string>

  beforeAll(async () => {
    app = path.join(work, "my-medusa-app")
    fs.mkdirSync(app)
    const appPkg = JSON.parse(fs.readFileSync(path.join(FIXTURE, "package.json"), "utf8"))
    appPkg.dependencies["medusa-accounts"] = `file:../${path.basename(tarball)}`
    fs.writeFileSync(path.join(app, "package.json"), JSON.stringify(appPkg, null, 2))
    fs.copyFileSync(path.join(FIXTURE, "tsconfig.json"), path.join(app, "tsconfig.json"))
    fs.cpSync(path.join(FIXTURE, "src"), path.join(app, "src"), { recursive: true })
    // The README's medusa-config.ts, verbatim.
    fs.writeFileSync(path.join(app, "medusa-config.ts"), readmeBlock("<!-- install-config"))
    installTarball(app, tarball)

    const name = `${process.env.LEDGER_TEST_DB_PREFIX ?? ""}ledger_install_app`
    dbUrl = urlFromEnv({ DB_USERNAME: "postgres", DB_PASSWORD: "", DB_HOST: "localhost", DB_PORT: "5432", ...process.env }, name)
    await createDatabase(dbUrl, name, { drop: true })
    // The CLI as a developer runs it (development); `build` and the server in production.
    env = {
      DATABASE_URL: dbUrl,
      NODE_ENV: "development",
      STORE_CORS: "http://localhost:8000",
      ADMIN_CORS: "http://localhost:9000",
      AUTH_CORS: "http://localhost:9000",
      MEDUSA_DISABLE_TELEMETRY: "true",
    }
  })

  it("has what the plugin depends on, in the ranges it asks for", () => {
    console.log(`[install] the app's Medusa: @medusajs/medusa@${installedVersion(app, "@medusajs/medusa")}`)
    for (const [name, range] of Object.entries<string>({ ...pkg.dependencies, ...pkg.peerDependencies })) {
      expect(`${name}@${installedVersion(app, name)} ${semver.satisfies(installedVersion(app, name), range) ? "satisfies" : "fails"} ${range}`).toBe(
        `${name}@${installedVersion(app, name)} satisfies ${range}`
      )
    }
  })

  it("type-checks with strict: the exports are typed, and a wrong call fails on its line", async () => {
    const wrong = path.join(app, "src", "wrong-call.ts")
    fs.copyFileSync(path.join(FIXTURE, "wrong-call.ts"), wrong)
    const line = fs.readFileSync(wrong, "utf8").split("\n").findIndex((l) => l.includes("WRONG-ON-PURPOSE")) + 1
    const t = Date.now()
    const tsc = await run(process.execPath, [require.resolve("typescript/bin/tsc"), "--noEmit", "-p", "tsconfig.json"], { cwd: app })
    step("tsc --noEmit (strict)", t)
    fs.rmSync(wrong)
    const errors = tsc.out.split("\n").filter((l) => /error TS\d+/.test(l))
    expect(errors.length).toBeGreaterThan(0)
    // Every error is the deliberate one: no TS7016 (untyped module), nothing in the route.
    expect(errors.filter((l) => !l.startsWith(`src/wrong-call.ts(${line},`))).toEqual([])
    expect(tsc.out).not.toContain("TS7016")
  })

  it("migrates, builds, starts, and the plugin works over HTTP and in the admin", async () => {
    let t = Date.now()
    const migrated = await medusa(app, ["db:migrate"], env)
    step("medusa db:migrate", t)
    expect(migrated.code).toBe(0)
    expect(migrated.out).toMatch(/MODULE: ledger[\s\S]*Migration20261122234038/)

    t = Date.now()
    const built = await medusa(app, ["build"], { ...env, NODE_ENV: "production" })
    step("medusa build", t)
    if (built.code !== 0) throw new Error(built.out.slice(-4000))
    const serverDir = path.join(app, ".medusa", "server")
    // `cd .medusa/server && npm install` would install the same packages the app has.
    fs.symlinkSync(path.join(app, "node_modules"), path.join(serverDir, "node_modules"))
    const assets = path.join(serverDir, "public", "admin", "assets")
    const bundle = fs.readdirSync(assets).filter((f) => f.endsWith(".js")).map((f) => fs.readFileSync(path.join(assets, f), "utf8")).join("\n")
    expect(bundle).toContain("Issue gift card")

    const user = await medusa(app, ["user", "-e", ADMIN.email, "-p", ADMIN.password], env)
    expect(user.code).toBe(0)

    t = Date.now()
    let server = await startBuiltServer(serverDir, { ...env, NODE_ENV: "production" })
    step("medusa start (built)", t)
    let balancesBefore: Record<string, string> = {}
    try {
      const api = await adminApi(server.url)
      expect((await fetch(`${server.url}/health`)).status).toBe(200)

      const { account } = await api.post("/admin/accounts", {
        name: "Fresh app gift card",
        currency_code: "usd",
        generate_code: true,
        initial_amount: "25.00",
        source_account_id: "@bank",
      })
      expect(account.balance).toBe("25.00")
      const topUp = await api.post(`/admin/accounts/${account.id}/top-up`, { amount: "10", source_account_id: "@bank" })
      expect(topUp.account.balance).toBe("35.00")
      // The app's own route, calling the plugin's workflow and service through its exports.
      expect(await api.post(`/admin/app-ledger/${account.id}`, { amount: "5" })).toMatchObject({ amount: "5.00" })
      expect(await api.get(`/admin/app-ledger/${account.id}`)).toMatchObject({ balance: "40.00" })
      expect(await api.get(`/admin/app-ledger/acc_missing`, 404)).toEqual({ code: "not_found" })

      const { payment_providers } = await api.get("/admin/payments/payment-providers?limit=100")
      expect(payment_providers.map((p: any) => p.id)).toContain("pp_account_account")
      expect(await api.get("/admin/ledger/verify")).toMatchObject({ ok: true })
      balancesBefore = await balances(api)
      expect(balancesBefore[account.id]).toBe("40.00|0.00")

      // The built admin, in a browser: the plugin's sidebar entry and its page.
      const { browser } = await launchChromium()
      try {
        const page = await browser.newPage()
        // In production Medusa's session cookie is Secure: the server, like one behind a
        // TLS-terminating proxy, sets it when told the client's connection was HTTPS.
        await page.setExtraHTTPHeaders({ "x-forwarded-proto": "https" })
        await loginToAdmin(page, server.url, ADMIN.email, ADMIN.password)
        const entry = page.getByRole("link", { name: "Accounts", exact: true })
        await entry.waitFor({ timeout: 30_000 })
        await entry.click()
        await page.waitForURL(/\/app\/accounts/)
        await page.getByText("Fresh app gift card").first().waitFor({ timeout: 30_000 })
      } finally {
        await browser.close()
      }
    } finally {
      await server.stop()
    }

    t = Date.now()
    const again = await medusa(app, ["db:migrate"], env)
    step("medusa db:migrate, second time", t)
    expect(again.code).toBe(0)
    expect(moduleLog(again.out, "ledger")[0]).toBe("Skipped. Database is up-to-date for module.")
    expect(again.out).not.toMatch(/Migrating Migration|Migrated Migration/)

    // Back through every migration but the first (which refuses while the ledger holds
    // money), then forward again.
    t = Date.now()
    const migrations = files.filter((f) => /modules\/ledger\/migrations\/Migration\d+\.js$/.test(f)).map((f) => path.basename(f, ".js")).sort()
    for (const name of migrations.slice(1).reverse()) {
      const back = await medusa(app, ["db:rollback", "ledger"], env)
      expect(back.code).toBe(0)
      expect(back.out).toContain(`Reverted ${name}`)
    }
    const refused = await medusa(app, ["db:rollback", "ledger"], env)
    expect(refused.code).not.toBe(0)
    expect(refused.out).toMatch(/refus/i)
    const forward = await medusa(app, ["db:migrate"], env)
    step(`rolled back ${migrations.length - 1} ledger migrations and forward`, t)
    expect(forward.code).toBe(0)
    for (const name of migrations.slice(1)) expect(forward.out).toContain(name)

    server = await startBuiltServer(serverDir, { ...env, NODE_ENV: "production" })
    try {
      const api = await adminApi(server.url)
      expect(await api.get("/admin/ledger/verify")).toMatchObject({ ok: true })
      expect(await balances(api)).toEqual(balancesBefore)
      // And it still posts, to a core account's shards too.
      const { account } = await api.post("/admin/accounts", { name: "After rollback", currency_code: "usd", initial_amount: "3", source_account_id: "@bank" })
      expect(account.balance).toBe("3.00")
      expect(await api.get("/admin/ledger/verify")).toMatchObject({ ok: true })
    } finally {
      await server.stop()
    }
  })
})

async function adminApi(base: string) {
  const login = await fetch(`${base}/auth/user/emailpass`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(ADMIN),
  })
  expect(login.status).toBe(200)
  const { token } = await login.json()
  const call = async (method: string, url: string, body?: unknown, status = 200) => {
    const res = await fetch(base + url, {
      method,
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const data = await res.json().catch(() => null)
    if (res.status !== status) throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(data)}`)
    return data
  }
  return {
    get: (url: string, status?: number) => call("GET", url, undefined, status),
    post: (url: string, body: unknown, status?: number) => call("POST", url, body, status),
  }
}

/** What the CLI logged for one module (the lines after "MODULE: <name>", up to the next). */
function moduleLog(out: string, module: string) {
  const lines = out.split("\n").map((l) => l.replace(/\x1b\[[0-9;]*m/g, "").replace(/^\s*(info|warn|error):\s*/, "").trim())
  const start = lines.indexOf(`MODULE: ${module}`)
  if (start < 0) return []
  const rest = lines.slice(start + 1)
  const end = rest.findIndex((l) => l.startsWith("MODULE: "))
  return (end < 0 ? rest : rest.slice(0, end)).filter((l) => l && !l.startsWith("---"))
}

/** Every account's balance and held amount, core accounts included. */
async function balances(api: Awaited<ReturnType<typeof adminApi>>) {
  const { accounts } = await api.get("/admin/accounts?limit=1000")
  return Object.fromEntries(accounts.map((a: any) => [a.id, `${a.balance}|${a.held}`]))
}
