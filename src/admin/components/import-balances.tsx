import { Badge, Button, Heading, RadioGroup, StatusBadge, Table, Text, toast, usePrompt } from "@medusajs/ui"
import { type ReactNode, useRef, useState } from "react"
import { type ImportMode, type ImportReport, MAX_IMPORT_CSV_CHARS, useCsvImport, useLoyaltyImport } from "../hooks/use-imports"
import { saveTextFile, toCsv } from "../lib/csv"
import { errorCode } from "../lib/errors"
import { formatMoney } from "../lib/format"
import { Section } from "./section"

const countOf = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString()} ${n === 1 ? one : many}`

const CSV_COLUMNS = ["code", "currency", "balance", "expiry", "customer_email", "type"]
const CSV_TEMPLATE_ROWS = [
  ["GC-1111-2222-3333", "usd", "25.00", "2027-12-31", "", "gift_card"],
  ["", "usd", "12.50", "", "shopper@example.com", "store_credit"],
  ["SC-4444-5555", "eur", "5", "", "", "store_credit"],
]

/**
 * A total as the admin shows money, unless it has more decimals than the currency (a source's
 * total may hold a refused amount like 1.234 USD): then the exact figure, not a rounded one.
 */
function exactMoney(amount: string, currency: string) {
  const decimals = amount.split(".")[1]?.length ?? 0
  let allowed = 2
  try {
    allowed = new Intl.NumberFormat(undefined, { style: "currency", currency: currency.toUpperCase() }).resolvedOptions().maximumFractionDigits ?? 2
  } catch {}
  return decimals > allowed ? `${amount} ${currency.toUpperCase()}` : formatMoney(amount, currency)
}

/** A server refusal of the whole import, with its code. */
const ImportFailure = ({ error, testId }: { error: unknown; testId: string }) => {
  const code = errorCode(error)
  return (
    <div className="bg-ui-bg-subtle border-ui-border-error flex flex-wrap items-center gap-x-2 rounded-md border px-3 py-2" role="alert" data-testid={testId}>
      {code ? (
        <Badge size="2xsmall" color="red" className="font-mono" data-testid="import-error-code">
          {code}
        </Badge>
      ) : null}
      <Text size="small" className="text-ui-fg-error">
        {(error as Error)?.message || "The import failed."}
      </Text>
    </div>
  )
}

const ModeChoice = ({ value, onChange, name, disabled }: { value: ImportMode; onChange: (m: ImportMode) => void; name: string; disabled?: boolean }) => (
  <RadioGroup value={value} onValueChange={(v) => onChange(v as ImportMode)} className="flex flex-wrap gap-x-6 gap-y-2" disabled={disabled}>
    {(["independent", "atomic"] as const).map((m) => (
      <label key={m} className="flex items-center gap-x-2">
        <RadioGroup.Item value={m} data-testid={`${name}-mode-${m}`} />
        <Text size="small">{m === "independent" ? "Independent: import every good record, list the others" : "Atomic: import nothing if one record is refused"}</Text>
      </label>
    ))}
  </RadioGroup>
)

/** What a report says in one sentence. */
function headline(r: ImportReport) {
  const c = r.counts
  if (r.dry_run) {
    return `Dry run of ${countOf(c.read, "record")}: ${c.created.toLocaleString()} would be opened, ${c.replayed.toLocaleString()} already imported, ${c.failed.toLocaleString()} refused. Nothing was written.`
  }
  if (r.rolled_back) return `Nothing was imported: ${countOf(c.failed, "record")} refused in atomic mode, ${c.not_posted.toLocaleString()} not posted because of them.`
  return `${countOf(c.read, "record")} read: ${c.created.toLocaleString()} opened, ${c.replayed.toLocaleString()} already imported, ${c.failed.toLocaleString()} refused${c.not_posted ? `, ${c.not_posted.toLocaleString()} not posted` : ""}.`
}

/** An import's report: the counts, the totals per currency against the source's, each refusal. */
export const ImportReportView = ({ report, sourceLabel, testId }: { report: ImportReport; sourceLabel: string; testId: string }) => {
  const c = report.counts
  return (
    <div className="flex flex-col gap-y-3" data-testid={testId} data-dry-run={String(report.dry_run)} data-ok={String(report.ok)}>
      <div className="flex flex-wrap items-center gap-2">
        <StatusBadge color={report.ok ? "green" : report.rolled_back || c.failed ? "red" : "orange"} data-testid="import-status">
          {report.ok ? (report.dry_run ? "Ready to import" : "Imported, totals match") : report.rolled_back ? "Rolled back" : "Needs attention"}
        </StatusBadge>
        {report.dry_run ? <Badge size="2xsmall">Dry run</Badge> : null}
        <Badge size="2xsmall">{report.mode}</Badge>
        <Text size="xsmall" className="text-ui-fg-muted">
          {c.gift_cards.toLocaleString()} gift cards, {c.store_credit.toLocaleString()} store credit, in {(report.duration_ms / 1000).toFixed(1)} s
        </Text>
      </div>
      <Text size="small" weight="plus" data-testid="import-headline">
        {headline(report)}
      </Text>
      {c.replayed ? (
        <Text size="small" className="text-ui-fg-subtle" data-testid="import-replayed">
          {c.replayed === c.read - c.failed && !c.created
            ? `Every record was imported before (${countOf(c.replayed, "record")} replayed): nothing changed.`
            : `${countOf(c.replayed, "record")} imported before ${c.replayed === 1 ? "was" : "were"} found and replayed: ${c.replayed === 1 ? "its account is" : "their accounts are"} unchanged.`}
        </Text>
      ) : null}
      {report.totals.length ? (
        <Table data-testid="import-totals">
          <Table.Header>
            <Table.Row>
              <Table.HeaderCell>Currency</Table.HeaderCell>
              <Table.HeaderCell className="text-right">Records</Table.HeaderCell>
              <Table.HeaderCell className="text-right">{report.dry_run ? "Would be in the ledger" : "In the ledger"}</Table.HeaderCell>
              <Table.HeaderCell className="text-right">{sourceLabel}</Table.HeaderCell>
              <Table.HeaderCell>Match</Table.HeaderCell>
            </Table.Row>
          </Table.Header>
          <Table.Body>
            {report.totals.map((t) => (
              <Table.Row key={t.currency_code} data-testid="import-total" data-currency={t.currency_code}>
                <Table.Cell>{t.currency_code.toUpperCase()}</Table.Cell>
                <Table.Cell className="text-right">{t.source_records.toLocaleString()}</Table.Cell>
                <Table.Cell className="text-right">
                  {exactMoney(t.ledger_total, t.currency_code)}
                  <Text size="xsmall" className="text-ui-fg-muted">
                    {countOf(t.ledger_accounts, "account")}
                  </Text>
                </Table.Cell>
                <Table.Cell className="text-right" data-testid="import-source-total">
                  {exactMoney(t.source_total, t.currency_code)}
                </Table.Cell>
                <Table.Cell>
                  <StatusBadge color={t.match ? "green" : "red"} data-testid="import-match">
                    {t.match ? "Yes" : "No"}
                  </StatusBadge>
                </Table.Cell>
              </Table.Row>
            ))}
          </Table.Body>
        </Table>
      ) : null}
      {report.errors.length ? (
        <div className="flex flex-col gap-y-2">
          <Text size="small" weight="plus">
            Refused ({c.failed.toLocaleString()}){report.errors_truncated ? `, the first ${report.errors.length.toLocaleString()} listed` : ""}
          </Text>
          <Table data-testid="import-errors">
            <Table.Header>
              <Table.Row>
                <Table.HeaderCell>{report.source === "csv" ? "Line" : "Record"}</Table.HeaderCell>
                <Table.HeaderCell>Code</Table.HeaderCell>
                <Table.HeaderCell>Reason</Table.HeaderCell>
              </Table.Row>
            </Table.Header>
            <Table.Body>
              {report.errors.map((e, i) => (
                <Table.Row key={i} data-testid="import-error" data-line={e.line ?? undefined} data-code={e.code}>
                  <Table.Cell className="font-mono text-xs">{e.line ?? e.ref}</Table.Cell>
                  <Table.Cell>
                    <Badge size="2xsmall" color="red" className="font-mono">
                      {e.code}
                    </Badge>
                  </Table.Cell>
                  <Table.Cell className="max-w-[420px] whitespace-normal">{e.message}</Table.Cell>
                </Table.Row>
              ))}
            </Table.Body>
          </Table>
        </div>
      ) : null}
      {report.notes.map((n, i) => (
        <Text key={i} size="small" className="text-ui-fg-subtle" data-testid="import-note">
          {n}
        </Text>
      ))}
    </div>
  )
}

const Part = ({ title, description, children, testId }: { title: string; description: ReactNode; children: ReactNode; testId: string }) => (
  <div className="flex flex-col gap-y-4 px-6 py-4" data-testid={testId}>
    <div>
      <Heading level="h3">{title}</Heading>
      <Text size="small" className="text-ui-fg-subtle">
        {description}
      </Text>
    </div>
    {children}
  </div>
)

/**
 * The two steps of an import: a dry run, then, once confirmed, the import; with their reports,
 * the refusal of the whole call and which step is running. An import replaces the dry run's
 * report with its own.
 */
function useImportSteps({ send, confirm, imported }: {
  send: (dryRun: boolean) => Promise<ImportReport>
  confirm: () => Promise<boolean>
  /** the toast when an import writes every record */
  imported: string
}) {
  const [dry, setDry] = useState<ImportReport | null>(null)
  const [final, setFinal] = useState<ImportReport | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [running, setRunning] = useState<"dry" | "import" | null>(null)

  const go = async (dryRun: boolean) => {
    if (!dryRun && !(await confirm())) return
    setError(null)
    setRunning(dryRun ? "dry" : "import")
    try {
      const report = await send(dryRun)
      if (dryRun) {
        setDry(report)
        setFinal(null)
      } else {
        setFinal(report)
        setDry(null)
        report.ok ? toast.success(imported) : toast.warning("The import finished with refusals")
      }
    } catch (e) {
      setError(e)
    } finally {
      setRunning(null)
    }
  }
  const startOver = () => {
    setDry(null)
    setFinal(null)
    setError(null)
  }
  return { dry, final, error, running, go, startOver, clearDryRun: () => setDry(null) }
}

/** The loyalty plugin's gift cards and store credit: dry run, then import after a clean one. */
const LoyaltyImport = () => {
  const run = useLoyaltyImport()
  const prompt = usePrompt()
  const [mode, setMode] = useState<ImportMode>("independent")
  const { dry, final, error, running, go, clearDryRun } = useImportSteps({
    send: (dryRun) => run.mutateAsync({ dry_run: dryRun, mode }),
    confirm: () =>
      prompt({
        title: "Import the loyalty plugin's balances?",
        description: `This opens ${countOf(dry?.counts.created ?? 0, "account")} in the ledger with their balances (${mode} mode). Running it again later replays what was imported and writes nothing twice.`,
        confirmText: "Import",
        cancelText: "Cancel",
      }),
    imported: "Loyalty balances imported",
  })

  const notInstalled = errorCode(error) === "loyalty_not_installed"
  const report = final ?? dry
  return (
    <Part
      title="From the loyalty plugin"
      testId="import-loyalty"
      description="Gift cards and store-credit accounts of @medusajs/loyalty-plugin, read through its modules. The dry run compares each currency's total with the plugin's own."
    >
      <ModeChoice value={mode} onChange={(m) => { setMode(m); clearDryRun() }} name="loyalty" disabled={!!running} />
      <div className="flex gap-x-2">
        <Button size="small" variant="secondary" isLoading={running === "dry"} disabled={!!running} onClick={() => go(true)} data-testid="loyalty-dry-run">
          Dry run
        </Button>
        <Button size="small" isLoading={running === "import"} disabled={!!running || !dry?.ok} onClick={() => go(false)} data-testid="loyalty-import">
          Import
        </Button>
      </div>
      {dry && !dry.ok ? (
        <Text size="small" className="text-ui-fg-subtle">
          Import is enabled after a clean dry run: fix the refused records or totals in the plugin, then run it again.
        </Text>
      ) : null}
      {notInstalled ? (
        <div className="bg-ui-bg-subtle flex flex-col gap-y-1 rounded-md border px-3 py-2" role="alert" data-testid="loyalty-not-installed">
          <div className="flex items-center gap-x-2">
            <Badge size="2xsmall" color="orange" className="font-mono">
              loyalty_not_installed
            </Badge>
            <Text size="small" weight="plus">
              The loyalty plugin is not installed in this app.
            </Text>
          </div>
          <Text size="small" className="text-ui-fg-subtle">
            Register its two modules (loyalty and store-credit) in medusa-config to import from it; see the README, "Importing balances".
          </Text>
        </div>
      ) : error ? (
        <ImportFailure error={error} testId="loyalty-error" />
      ) : null}
      {report ? <ImportReportView report={report} sourceLabel="Plugin's own total" testId="loyalty-report" /> : null}
    </Part>
  )
}

/** A CSV file of balances: pick, dry run (line-numbered refusals), then import the good rows. */
const CsvImport = () => {
  const run = useCsvImport()
  const prompt = usePrompt()
  const input = useRef<HTMLInputElement>(null)
  const [file, setFile] = useState<{ name: string; text: string } | null>(null)
  const [mode, setMode] = useState<ImportMode>("independent")
  const steps = useImportSteps({
    send: (dryRun) => run.mutateAsync({ csv: file!.text, dry_run: dryRun, mode }),
    confirm: () => {
      const c = steps.dry?.counts
      return prompt({
        title: `Import ${file!.name}?`,
        description: `${countOf(c?.created ?? 0, "account")} will be opened with their balances${c?.failed ? `; ${countOf(c.failed, "refused line")} will be left out` : ""}${c?.replayed ? `; ${countOf(c.replayed, "record")} imported before will be replayed` : ""}.`,
        confirmText: "Import",
        cancelText: "Cancel",
      })
    },
    imported: `${file?.name} imported`,
  })
  const { dry, final, error, running, startOver } = steps
  const go = (dryRun: boolean) => (file ? steps.go(dryRun) : undefined)

  const tooLarge = !!file && file.text.length > MAX_IMPORT_CSV_CHARS
  // Atomic mode with a refusal would write nothing: importing is offered only when it can write.
  const importable = !!dry && !final && (dry.mode === "independent" || dry.counts.failed === 0) && dry.counts.created + dry.counts.replayed > 0
  const report = final ?? dry
  return (
    <Part
      title="From a CSV file"
      testId="import-csv"
      description={
        <>
          A header row, then one balance a line. Columns: {CSV_COLUMNS.map((c, i) => (
            <span key={c}>
              {i ? ", " : ""}
              <code>{c}</code>
            </span>
          ))}{" "}
          (<code>type</code> is <code>gift_card</code> or <code>store_credit</code>). Up to 5 MiB; larger files go through the script.
        </>
      }
    >
      <div className="flex flex-wrap items-center gap-x-3 gap-y-2">
        <input
          ref={input}
          type="file"
          accept=".csv,text/csv"
          className="text-ui-fg-subtle txt-small"
          data-testid="import-csv-file"
          disabled={!!running}
          onChange={async (e) => {
            const picked = e.target.files?.[0]
            startOver()
            setFile(picked ? { name: picked.name, text: await picked.text() } : null)
          }}
        />
        <Button size="small" variant="transparent" data-testid="import-csv-template" onClick={() => saveTextFile("balances-template.csv", toCsv(CSV_COLUMNS, CSV_TEMPLATE_ROWS))}>
          Download a template
        </Button>
      </div>
      <ModeChoice value={mode} onChange={(m) => { setMode(m); startOver() }} name="csv" disabled={!!running} />
      <div className="flex flex-wrap items-center gap-x-2">
        <Button size="small" variant="secondary" isLoading={running === "dry"} disabled={!file || tooLarge || !!running} onClick={() => go(true)} data-testid="csv-dry-run">
          Dry run
        </Button>
        <Button size="small" isLoading={running === "import"} disabled={!importable || !!running} onClick={() => go(false)} data-testid="csv-import">
          Import
        </Button>
        {final ? (
          <Button size="small" variant="transparent" disabled={!!running} onClick={() => go(true)} data-testid="csv-check-again">
            Dry run again
          </Button>
        ) : null}
      </div>
      {tooLarge ? (
        <Text size="small" className="text-ui-fg-error" role="alert">
          {file!.name} is larger than 5 MiB: import it with the script (npm run ledger:import-csv).
        </Text>
      ) : null}
      {dry && !final && dry.mode === "atomic" && dry.counts.failed ? (
        <Text size="small" className="text-ui-fg-subtle">
          In atomic mode this file would import nothing: fix the refused lines, or choose independent mode to import the others.
        </Text>
      ) : null}
      {error ? <ImportFailure error={error} testId="csv-error" /> : null}
      {report ? <ImportReportView report={report} sourceLabel="File total" testId="csv-report" /> : null}
    </Part>
  )
}

/** Settings → Ledger: import balances kept elsewhere (README "Importing balances"). */
export const ImportBalances = () => (
  <Section
    title="Import balances"
    subtitle="Open gift cards and store credit kept elsewhere as ledger accounts. Dry run first; importing again replays what was imported and writes nothing twice."
    testId="import-balances"
  >
    <LoyaltyImport />
    <CsvImport />
  </Section>
)
