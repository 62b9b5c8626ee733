// Builds the admin (Medusa's dashboard with this plugin's src/admin) into
// <root>/public/admin, where a Medusa started outside development serves it at /app.
// The browser tests run against that build; it is rebuilt only when src/admin changed.
const crypto = require("crypto")
const fs = require("fs")
const path = require("path")

const ROOT = path.join(__dirname, "..", "..")
const OUT = path.join(ROOT, "public", "admin")
const STAMP = path.join(OUT, ".source-hash")

function sourceHash() {
  const hash = crypto.createHash("sha256")
  const walk = (dir) => {
    for (const name of fs.readdirSync(dir).sort()) {
      const file = path.join(dir, name)
      if (fs.statSync(file).isDirectory()) walk(file)
      else hash.update(file).update(fs.readFileSync(file))
    }
  }
  walk(path.join(ROOT, "src", "admin"))
  hash.update(require("@medusajs/dashboard/package.json").version)
  return hash.digest("hex")
}

async function buildAdmin({ force = false, log = console.log } = {}) {
  const hash = sourceHash()
  if (!force && fs.existsSync(STAMP) && fs.readFileSync(STAMP, "utf8") === hash) {
    return { outDir: OUT, built: false }
  }
  const started = Date.now()
  log(`building the admin into ${path.relative(ROOT, OUT)} ...`)
  const { build } = require("@medusajs/admin-bundler")
  await build({ path: "/app", outDir: OUT, sources: [path.join(ROOT, "src", "admin")], plugins: [], backendUrl: "/" })
  fs.writeFileSync(STAMP, hash)
  log(`admin built in ${Math.round((Date.now() - started) / 1000)} s`)
  return { outDir: OUT, built: true }
}

module.exports = { buildAdmin, ADMIN_OUT_DIR: OUT }

if (require.main === module) {
  buildAdmin({ force: process.argv.includes("--force") }).catch((e) => {
    console.error(e)
    process.exit(1)
  })
}
