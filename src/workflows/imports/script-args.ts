/**
 * The options of the import scripts. Medusa's CLI refuses unknown `--options` of its own
 * (`medusa exec file --dry-run` fails), so they are passed after `--`
 * (`medusa exec ./src/scripts/import-csv.ts file.csv -- --dry-run --atomic`) or as bare
 * words (`dry-run`, `atomic`).
 */
export function importArgs(args: string[] = [], argv: string[] = process.argv) {
  // yargs keeps what follows `--` out of `args`: it is read from the command line
  const dashes = argv.indexOf("--")
  const words = [...args, ...(dashes >= 0 ? argv.slice(dashes + 1) : [])].filter((a) => a !== "--")
  const option = (name: string) => words.some((a) => a === name || a === `--${name}`)
  const rest = words.filter((a) => !/^(--)?(dry-run|atomic)$/.test(a))
  return {
    dry_run: option("dry-run"),
    mode: option("atomic") ? ("atomic" as const) : ("independent" as const),
    unknown: rest.filter((a) => a.startsWith("-")),
    positional: rest.filter((a) => !a.startsWith("-")),
  }
}
