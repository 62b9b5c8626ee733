import { Button, FocusModal, Heading, Input, StatusBadge, Table, Text } from "@medusajs/ui"
import { useMemo, useRef, useState } from "react"
import { Link } from "react-router-dom"
import { useChunkedRun } from "../hooks/use-chunked-run"
import { ledgerFetch, newIdempotencyKey } from "../lib/api"
import {
  type BulkCreditFileRow,
  type BulkCreditResponse,
  type BulkCreditVerdict,
  bulkCreditBody,
  bulkCreditChunks,
  bulkCreditResultCsv,
  bulkCreditTotals,
  readBulkCreditFile,
} from "../lib/bulk-credit"
import { saveTextFile, toCsv } from "../lib/csv"
import { errorSentence } from "../lib/errors"
import { endOfDay, formatMoney } from "../lib/format"
import { CurrencySelect } from "./currency-select"
import { Field, FormError } from "./field"
import { MoneySourceSelect, SOURCE_REF, type MoneySource } from "./money-source-select"
import { ProgressBar } from "./progress-bar"

type Chunk = { currency: string; rows: number[] }
type Phase = "file" | "preview" | "done"
type Verdict = BulkCreditVerdict & { status?: string }

const SHOWN_ROWS = 100
const countOf = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString()} ${n === 1 ? one : many}`

/** Each row's verdict from the answers of its chunks, a file problem where the row was not sent. */
function verdictsOf(rows: BulkCreditFileRow[], chunks: Chunk[], answers: (BulkCreditResponse | undefined)[]): (Verdict | undefined)[] {
  const out: (Verdict | undefined)[] = rows.map((r) => (r.error ? { ok: false, error: r.error } : undefined))
  chunks.forEach((c, i) => answers[i]?.results.forEach((result, j) => (out[c.rows[j]] = result)))
  return out
}

/**
 * Credits many customers or accounts from a CSV (`email` or `account_id`, `amount`, `note`,
 * optionally `currency`): the file is checked by the server's dry run first (each row's
 * verdict and the totals), then the good rows are posted 500 a request with a progress bar,
 * each request's idempotency key derived from one id of the job (a retried request replays).
 * The result, one line per row of the file, downloads as a CSV.
 */
export const BulkCreditModal = () => {
  const [open, setOpen] = useState(false)
  const [phase, setPhase] = useState<Phase>("file")
  const [currency, setCurrency] = useState("")
  const [source, setSource] = useState<MoneySource>("goodwill")
  const [expires, setExpires] = useState("")
  const [text, setText] = useState<string | null>(null)
  const [fileName, setFileName] = useState("")
  const [error, setError] = useState<unknown>(null)
  const fileInput = useRef<HTMLInputElement>(null)
  const job = useRef<{ rows: BulkCreditFileRow[]; key: string; checkChunks: Chunk[]; postChunks: Chunk[] }>({ rows: [], key: "", checkChunks: [], postChunks: [] })

  const file = useMemo(() => (text === null ? null : readBulkCreditFile(text, currency)), [text, currency])
  const send = (dryRun: boolean) => (chunk: Chunk, i: number) =>
    ledgerFetch<BulkCreditResponse>("/admin/accounts/bulk-credit", {
      method: "POST",
      body: {
        currency_code: chunk.currency,
        source_account_id: SOURCE_REF[source],
        ...(expires ? { expires_at: endOfDay(expires) } : {}),
        mode: "independent",
        dry_run: dryRun,
        rows: bulkCreditBody(job.current.rows, chunk.rows),
        ...(dryRun ? {} : { idempotency_key: `${job.current.key}:${i}` }),
      },
    })
  const check = useChunkedRun<Chunk, BulkCreditResponse>(send(true))
  const post = useChunkedRun<Chunk, BulkCreditResponse>(send(false))

  const rows = job.current.rows
  const preview = useMemo(() => verdictsOf(rows, job.current.checkChunks, check.results), [rows, check.results])
  const posted = useMemo(() => {
    const after = verdictsOf(rows, job.current.postChunks, post.results)
    return after.map((v, i): Verdict | undefined =>
      v && !rows[i].error && job.current.postChunks.some((c) => c.rows.includes(i))
        ? { ...v, status: v.ok ? (v.replayed ? "replayed" : "credited") : "failed" }
        : preview[i] && { ...preview[i]!, status: "skipped" }
    )
  }, [rows, post.results, preview])

  const reset = () => {
    setPhase("file")
    setText(null)
    setFileName("")
    setError(null)
    check.reset()
    post.reset()
    job.current = { rows: [], key: "", checkChunks: [], postChunks: [] }
    if (fileInput.current) fileInput.current.value = ""
  }

  const startCheck = () => {
    if (!file || file.problem) return
    setError(null)
    const sendable = file.rows.flatMap((r, i) => (r.error ? [] : [i]))
    job.current = { rows: file.rows, key: "", checkChunks: bulkCreditChunks(file.rows, sendable), postChunks: [] }
    setPhase("preview")
    if (job.current.checkChunks.length) void check.start(job.current.checkChunks)
  }

  const okIndexes = preview.flatMap((v, i) => (v?.ok ? [i] : []))
  const startPost = () => {
    job.current.key = newIdempotencyKey(`bulk-credit-${okIndexes.length}`)
    job.current.postChunks = bulkCreditChunks(rows, okIndexes)
    setPhase("done")
    void post.start(job.current.postChunks)
  }

  const onOpenChange = (next: boolean) => {
    if (!next && (check.running || post.running)) return
    setOpen(next)
    if (!next) reset()
  }

  const checked = phase === "preview" && !check.running && !check.error && check.done === check.total
  const finished = phase === "done" && !post.running && !post.error && post.done === post.total
  const verdicts = phase === "done" ? posted : preview
  const totals = bulkCreditTotals(rows, phase === "done" ? posted.map((v) => (v?.status === "credited" || v?.status === "replayed" ? v : undefined)) : preview)
  const problems = verdicts.filter((v) => v && !v.ok).length
  const shown = rows
    .map((row, i) => ({ row, i, v: verdicts[i] }))
    .sort((a, b) => Number(!!a.v?.ok) - Number(!!b.v?.ok) || a.i - b.i)
    .slice(0, SHOWN_ROWS)

  return (
    <FocusModal open={open} onOpenChange={onOpenChange}>
      <FocusModal.Trigger asChild>
        <Button size="small" variant="secondary" data-testid="bulk-credit">
          Bulk credit
        </Button>
      </FocusModal.Trigger>
      <FocusModal.Content>
        <FocusModal.Header>
          <div className="flex items-center justify-end gap-x-2">
            {phase === "done" ? (
              <>
                <Button size="small" variant="secondary" disabled={!finished} onClick={() => onOpenChange(false)} data-testid="bulk-credit-close">
                  Close
                </Button>
                <Button
                  size="small"
                  disabled={!finished}
                  onClick={() => saveTextFile(`bulk-credit-result-${new Date().toISOString().slice(0, 10)}.csv`, bulkCreditResultCsv(rows, posted.map((v) => v ?? { ok: false })))}
                  data-testid="bulk-credit-download"
                >
                  Download result CSV
                </Button>
              </>
            ) : phase === "preview" ? (
              <>
                <Button size="small" variant="secondary" disabled={check.running} onClick={reset}>
                  Choose another file
                </Button>
                <Button size="small" disabled={!checked || !okIndexes.length} onClick={startPost} data-testid="bulk-credit-post">
                  {checked ? `Credit ${countOf(okIndexes.length, "row")}` : "Credit"}
                </Button>
              </>
            ) : (
              <>
                <Button size="small" variant="secondary" onClick={() => onOpenChange(false)}>
                  Cancel
                </Button>
                <Button size="small" disabled={!file || !!file.problem || !file.rows.length || !currency} onClick={startCheck} data-testid="bulk-credit-check">
                  {file && !file.problem ? `Check ${countOf(file.rows.length, "row")}` : "Check rows"}
                </Button>
              </>
            )}
          </div>
        </FocusModal.Header>
        <FocusModal.Body className="flex flex-col items-center overflow-y-auto py-10">
          <div className="flex w-full max-w-[880px] flex-col gap-y-5">
            <div>
              <FocusModal.Title asChild>
                <Heading>Bulk credit</Heading>
              </FocusModal.Title>
              <Text size="small" className="text-ui-fg-subtle">
                A CSV with a header row: <code>email</code> (or <code>account_id</code>), <code>amount</code>, <code>note</code>, and optionally{" "}
                <code>currency</code>. A customer's credit goes into their store-credit wallet, opened if they have none.
              </Text>
            </div>
            {phase === "file" ? (
              <>
                <div className="grid grid-cols-2 gap-4">
                  <Field label="Currency" hint="for rows without a currency column">
                    <CurrencySelect value={currency} onChange={setCurrency} testId="bulk-credit-currency" />
                  </Field>
                  <Field label="Paid for?">
                    <MoneySourceSelect value={source} onChange={setSource} />
                  </Field>
                  <Field label="Expires (optional)" hint="the credit lapses at the end of that day" htmlFor="bulk-credit-expires">
                    <Input id="bulk-credit-expires" type="date" value={expires} onChange={(e) => setExpires(e.target.value)} />
                  </Field>
                </div>
                <Field label="File" htmlFor="bulk-credit-file" hint={fileName && file && !file.problem ? `${fileName}: ${countOf(file.rows.length, "row")}` : undefined} error={file?.problem ?? null}>
                  <input
                    ref={fileInput}
                    id="bulk-credit-file"
                    data-testid="bulk-credit-file"
                    type="file"
                    accept=".csv,text/csv"
                    className="text-ui-fg-subtle txt-small"
                    onChange={async (e) => {
                      const picked = e.target.files?.[0]
                      setError(null)
                      if (!picked) return setText(null)
                      setFileName(picked.name)
                      setText(await picked.text())
                    }}
                  />
                </Field>
                <div>
                  <Button
                    size="small"
                    variant="transparent"
                    data-testid="bulk-credit-template"
                    onClick={() =>
                      saveTextFile(
                        "bulk-credit-template.csv",
                        toCsv(["email", "account_id", "amount", "note"], [["shopper@example.com", "", "10.00", "Spring promotion"], ["", "acc_…", "5.00", "Apology for a late order"]])
                      )
                    }
                  >
                    Download a template
                  </Button>
                </div>
                <FormError error={error ? errorSentence(error) : null} />
              </>
            ) : (
              <div className="flex flex-col gap-y-4">
                {phase === "preview" && check.total ? (
                  <ProgressBar done={check.done} total={check.total} label={check.running ? `Checking: ${check.done} of ${countOf(check.total, "request")}` : undefined} testId="bulk-credit-check-progress" />
                ) : null}
                {phase === "done" ? (
                  <ProgressBar done={post.done} total={post.total} label={`${post.done} of ${countOf(post.total, "request")} posted`} testId="bulk-credit-post-progress" />
                ) : null}
                {(phase === "preview" ? check : post).error ? (
                  <div className="flex items-center justify-between gap-x-4">
                    <FormError error={`Stopped: ${errorSentence((phase === "preview" ? check : post).error)}${phase === "done" ? " Retrying replays the credits already posted." : ""}`} />
                    <Button size="small" variant="secondary" onClick={() => (phase === "preview" ? check : post).resume()} data-testid="bulk-credit-retry">
                      Retry
                    </Button>
                  </div>
                ) : null}
                {checked || finished ? (
                  <div className="bg-ui-bg-subtle flex flex-col gap-y-1 rounded-lg border p-4" data-testid="bulk-credit-summary">
                    <Text weight="plus">
                      {phase === "done"
                        ? `${countOf(totals.reduce((n, t) => n + t.count, 0), "row")} credited, ${countOf(problems, "row")} not.`
                        : `${countOf(okIndexes.length, "row")} ready, ${countOf(problems, "row")} with problems.`}
                    </Text>
                    {totals.map((t) => (
                      <Text key={t.currency} size="small" className="text-ui-fg-subtle" data-testid="bulk-credit-total">
                        {t.currency.toUpperCase()}: {formatMoney(t.total, t.currency)} to {countOf(t.count, "row")}
                        {phase === "done" ? "" : source === "received" ? ", paid for (from Bank)" : ", promotional (from Unpaid source)"}
                      </Text>
                    ))}
                  </div>
                ) : null}
                <Table data-testid="bulk-credit-rows">
                  <Table.Header>
                    <Table.Row>
                      <Table.HeaderCell>Line</Table.HeaderCell>
                      <Table.HeaderCell>Customer or account</Table.HeaderCell>
                      <Table.HeaderCell className="text-right">Amount</Table.HeaderCell>
                      <Table.HeaderCell>Status</Table.HeaderCell>
                      <Table.HeaderCell>Reason or transfer</Table.HeaderCell>
                    </Table.Row>
                  </Table.Header>
                  <Table.Body>
                    {shown.map(({ row, i, v }) => (
                      <Table.Row key={i} data-testid="bulk-credit-row" data-line={row.line} data-ok={v ? String(v.ok) : undefined}>
                        <Table.Cell>{row.line}</Table.Cell>
                        <Table.Cell>{v?.email ?? row.email ?? row.account_id ?? row.customer_id ?? "—"}</Table.Cell>
                        <Table.Cell className="text-right">{v?.ok && v.amount ? formatMoney(v.amount, row.currency_code) : `${row.amount} ${row.currency_code.toUpperCase()}`}</Table.Cell>
                        <Table.Cell>
                          {!v ? (
                            <StatusBadge color="grey">Checking</StatusBadge>
                          ) : v.ok ? (
                            <StatusBadge color="green">{v.status === "credited" ? "Credited" : v.status === "replayed" ? "Already credited" : "Ready"}</StatusBadge>
                          ) : (
                            <StatusBadge color={v.status === "skipped" ? "orange" : "red"}>{v.status === "skipped" ? "Skipped" : "Problem"}</StatusBadge>
                          )}
                        </Table.Cell>
                        <Table.Cell className="max-w-[320px] whitespace-normal" data-testid="bulk-credit-reason">
                          {v?.error ? (
                            errorSentence(v.error)
                          ) : v?.transfer ? (
                            <Link to={`/accounts/transfers/${v.transfer.reference}`} className="text-ui-fg-interactive font-mono">
                              {v.transfer.reference}
                            </Link>
                          ) : v?.ok && !v.account_id ? (
                            "A wallet will be opened"
                          ) : (
                            ""
                          )}
                        </Table.Cell>
                      </Table.Row>
                    ))}
                  </Table.Body>
                </Table>
                {rows.length > SHOWN_ROWS ? (
                  <Text size="small" className="text-ui-fg-subtle">
                    Showing {SHOWN_ROWS} of {countOf(rows.length, "row")}, problems first{phase === "done" ? "; the result CSV has them all" : ""}.
                  </Text>
                ) : null}
              </div>
            )}
          </div>
        </FocusModal.Body>
      </FocusModal.Content>
    </FocusModal>
  )
}
