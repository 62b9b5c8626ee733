import { readFileSync } from "fs"
import type { ExecArgs } from "@medusajs/framework/types"
import { importCsvBalancesWorkflow } from "../workflows/imports/workflows/import-csv-balances"
import { importArgs } from "../workflows/imports/script-args"

/**
 * `npx medusa exec ./src/scripts/import-csv.ts <file> [-- --dry-run --atomic]` (or
 * `npm run ledger:import-csv -- <file> -- --dry-run`; see importArgs): opens the balances of a CSV file (columns
 * in README "Importing balances") in the ledger and prints the report as JSON. Safe to run
 * again. Exits 1 unless the report is ok.
 */
export default async function importCsvScript({ container, args }: ExecArgs) {
  const { dry_run, mode, unknown, positional } = importArgs(args)
  if (positional.length !== 1 || unknown.length) {
    process.stderr.write("usage: medusa exec ./src/scripts/import-csv.ts <file.csv> [-- --dry-run --atomic]\n")
    process.exitCode = 2
    return
  }
  const files = positional
  let csv: string
  try {
    csv = readFileSync(files[0], "utf8")
  } catch (e: any) {
    process.stderr.write(`import-csv: cannot read ${files[0]}: ${e?.message ?? e}\n`)
    process.exitCode = 2
    return
  }
  try {
    const { result } = await importCsvBalancesWorkflow(container).run({
      input: { csv, dry_run, mode, actor: { type: "system" } },
    })
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
    if (!result.ok) process.exitCode = 1
  } catch (e: any) {
    process.stderr.write(`import-csv: ${e?.code ? `${e.code}: ` : ""}${e?.message ?? e}\n`)
    process.exitCode = 1
  }
}
