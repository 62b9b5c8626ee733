import type { ExecArgs } from "@medusajs/framework/types"
import { importLoyaltyBalancesWorkflow } from "../workflows/imports/workflows/import-loyalty-balances"

/**
 * `npx medusa exec ./src/scripts/import-loyalty.ts [--dry-run] [--atomic]` (or
 * `npm run ledger:import-loyalty -- --dry-run`): opens `@medusajs/loyalty-plugin`'s gift
 * cards and store-credit accounts in the ledger and prints the report as JSON. Safe to run
 * again: what was imported is found, not doubled. Exits 1 unless the report is ok.
 */
export default async function importLoyaltyScript({ container, args }: ExecArgs) {
  // medusa's CLI takes `--x` options for itself: read them from the command line too
  const flags = new Set([...(args ?? []), ...process.argv.slice(2).filter((a) => a === "--dry-run" || a === "--atomic")])
  const unknown = [...flags].filter((a) => a !== "--dry-run" && a !== "--atomic")
  if (unknown.length) {
    process.stderr.write(`import-loyalty: unknown argument(s) ${unknown.join(" ")}; usage: import-loyalty.ts [--dry-run] [--atomic]\n`)
    process.exitCode = 2
    return
  }
  try {
    const { result } = await importLoyaltyBalancesWorkflow(container).run({
      input: { dry_run: flags.has("--dry-run"), mode: flags.has("--atomic") ? "atomic" : "independent", actor: { type: "system" } },
    })
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
    if (!result.ok) process.exitCode = 1
  } catch (e: any) {
    process.stderr.write(`import-loyalty: ${e?.code ? `${e.code}: ` : ""}${e?.message ?? e}\n`)
    process.exitCode = 1
  }
}
