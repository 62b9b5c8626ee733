import { Button, FocusModal, Heading, Input, Text, toast, usePrompt } from "@medusajs/ui"
import { useEffect, useMemo, useRef, useState } from "react"
import { useAccountTypes } from "../hooks/use-accounts"
import { useChunkedRun } from "../hooks/use-chunked-run"
import { GIFT_CARD_TYPE_CODE } from "../lib/account-types"
import { LedgerApiError, ledgerFetch, newIdempotencyKey } from "../lib/api"
import { chunk, saveTextFile, toCsv } from "../lib/csv"
import { errorField, errorSentence } from "../lib/errors"
import { formatMoney } from "../lib/format"
import type { Account } from "../lib/types"
import { CurrencySelect } from "./currency-select"
import { Field, FormError } from "./field"
import { MoneySourceSelect, SOURCE_REF, type MoneySource } from "./money-source-select"
import { ProgressBar } from "./progress-bar"

export const BULK_ISSUE_MAX = 20_000
/**
 * Cards per request to POST /admin/accounts/batch (which takes up to 1,000): 500 keeps each
 * request short and the progress bar moving (20,000 cards are 40 requests).
 */
export const BULK_ISSUE_CHUNK = 500

type BatchAnswer = {
  ok: boolean
  counts: { ok: number; failed: number; replayed: number }
  results: ({ index: number; ok: true; replayed: boolean; account: Account } | { index: number; ok: false; error: { code: string; message: string } })[]
}

type Job = { key: string; body: Record<string, unknown>; sizes: number[] }

const countOf = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString()} ${n === 1 ? one : many}`

/**
 * Issues many gift cards at once: count, value, currency, expiry, paid for or promotional.
 * The cards go to POST /admin/accounts/batch in chunks with a progress bar; each chunk's
 * idempotency key comes from one random id of the job and the chunk's number, so a chunk
 * sent again (Retry) replays the cards it already made. Then the codes, once, as a CSV.
 */
export const BulkIssueModal = () => {
  const prompt = usePrompt()
  const types = useAccountTypes()
  const giftCardType = types.data?.account_types.find((t) => t.code === GIFT_CARD_TYPE_CODE)
  const [open, setOpen] = useState(false)
  const [count, setCount] = useState("")
  const [value, setValue] = useState("")
  const [currency, setCurrency] = useState("")
  const [expires, setExpires] = useState("")
  const [source, setSource] = useState<MoneySource>("received")
  const [error, setError] = useState<unknown>(null)
  const [job, setJob] = useState<Job | null>(null)
  const jobRef = useRef<Job | null>(null)
  const [downloaded, setDownloaded] = useState(false)

  const run = useChunkedRun<number, BatchAnswer>(async (size, i) => {
    const current = jobRef.current!
    const answer = await ledgerFetch<BatchAnswer>("/admin/accounts/batch", {
      method: "POST",
      body: { mode: "independent", idempotency_key: `${current.key}:${i}`, accounts: Array.from({ length: size }, () => current.body) },
    })
    // Every card of the first request refused: the form's values are wrong, not the run.
    const first = answer.results.find((r) => !r.ok)
    if (i === 0 && answer.counts.ok === 0 && first && !first.ok) {
      throw new LedgerApiError(first.error.message, 400, first.error.code)
    }
    return answer
  })

  // A refusal of the first request (a value the server does not take) goes back to the form.
  useEffect(() => {
    if (run.error && run.done === 0 && run.error instanceof LedgerApiError && run.error.status < 500) {
      setError(run.error)
      setJob(null)
      run.reset()
    }
  }, [run.error])

  const cards = useMemo(
    () => run.results.flatMap((answer) => (answer?.results ?? []).flatMap((r) => (r.ok ? [r.account] : []))),
    [run.results]
  )
  const failures = run.results.flatMap((answer, chunkIndex) =>
    (answer?.results ?? []).flatMap((r) => (r.ok ? [] : [{ chunkIndex, error: r.error }]))
  )
  const finished = !!job && !run.running && !run.error && run.done === run.total && run.total > 0
  const codesPending = cards.length > 0 && !downloaded

  // Leaving the page with codes not downloaded (or cards still being made) asks first.
  useEffect(() => {
    if (!codesPending && !run.running) return
    const warn = (e: BeforeUnloadEvent) => {
      e.preventDefault()
      e.returnValue = ""
    }
    window.addEventListener("beforeunload", warn)
    return () => window.removeEventListener("beforeunload", warn)
  }, [codesPending, run.running])

  const n = Number(count)
  const countOk = /^\d+$/.test(count.trim()) && n >= 1 && n <= BULK_ISSUE_MAX
  const valueOk = /^\d+(\.\d+)?$/.test(value.trim()) && Number(value) > 0

  const reset = () => {
    setCount("")
    setValue("")
    setExpires("")
    setError(null)
    setJob(null)
    setDownloaded(false)
    run.reset()
  }

  const start = () => {
    setError(null)
    const body: Record<string, unknown> = {
      name: "Gift card",
      currency_code: currency,
      account_type_id: giftCardType?.id,
      generate_code: true,
      credit_limit: "0",
      initial_amount: value.trim(),
      source_account_id: SOURCE_REF[source],
    }
    if (expires) body.end_date = new Date(`${expires}T23:59:59`).toISOString()
    const sizes = chunk(Array.from({ length: n }, (_, i) => i), BULK_ISSUE_CHUNK).map((c) => c.length)
    const next = { key: newIdempotencyKey(`bulk-issue-${n}`), body, sizes }
    jobRef.current = next
    setJob(next)
    setDownloaded(false)
    void run.start(sizes)
  }

  const download = () => {
    const csv = toCsv(
      ["code", "value", "currency", "expiry", "account_id"],
      cards.map((c) => [c.code, c.balance, c.currency_code.toUpperCase(), c.end_date ? localDate(c.end_date) : "", c.id])
    )
    saveTextFile(`gift-cards-${new Date().toISOString().slice(0, 10)}-${cards.length}.csv`, csv)
    setDownloaded(true)
  }

  const onOpenChange = async (next: boolean) => {
    if (next) {
      setOpen(true)
      return
    }
    if (run.running) {
      toast.info("Wait until every card is issued (or the run stops) before closing.")
      return
    }
    if (codesPending) {
      const leave = await prompt({
        title: "Close without the codes?",
        description: `The codes of ${countOf(cards.length, "gift card")} are shown only once. Download the CSV first, or they can only be read card by card.`,
        confirmText: "Close anyway",
        cancelText: "Back",
      })
      if (!leave) return
    }
    setOpen(false)
    reset()
  }

  const field = errorField(error)
  return (
    <FocusModal open={open} onOpenChange={onOpenChange}>
      <FocusModal.Trigger asChild>
        <Button size="small" variant="secondary" data-testid="bulk-issue">
          Bulk issue
        </Button>
      </FocusModal.Trigger>
      <FocusModal.Content>
        <FocusModal.Header>
          <div className="flex items-center justify-end gap-x-2">
            {job ? null : (
              <Button size="small" variant="secondary" onClick={() => onOpenChange(false)}>
                Cancel
              </Button>
            )}
            {job ? (
              <Button size="small" variant={downloaded ? "secondary" : "primary"} onClick={() => onOpenChange(false)} disabled={run.running} data-testid="bulk-issue-close">
                Close
              </Button>
            ) : (
              <Button size="small" onClick={start} disabled={!countOk || !valueOk || !currency || !giftCardType} data-testid="bulk-issue-submit">
                {countOk ? `Issue ${countOf(n, "gift card")}` : "Issue gift cards"}
              </Button>
            )}
          </div>
        </FocusModal.Header>
        <FocusModal.Body className="flex flex-col items-center overflow-y-auto py-10">
          <div className="flex w-full max-w-[560px] flex-col gap-y-5">
            <div>
              <FocusModal.Title asChild>
                <Heading>Bulk issue gift cards</Heading>
              </FocusModal.Title>
              <Text size="small" className="text-ui-fg-subtle">
                Many cards of one value, each with a generated code. The codes are shown once, as a CSV to download.
              </Text>
            </div>
            {job ? (
              <div className="flex flex-col gap-y-4" data-testid="bulk-issue-progress">
                <ProgressBar
                  done={run.done}
                  total={run.total}
                  label={`${countOf(cards.length, "card")} of ${n.toLocaleString()} issued (${run.done} of ${countOf(run.total, "request")})`}
                />
                {run.error ? (
                  <div className="flex items-center justify-between gap-x-4">
                    <FormError error={`The run stopped: ${errorSentence(run.error)} Retrying replays the cards already made.`} />
                    <Button size="small" variant="secondary" onClick={() => run.resume()} data-testid="bulk-issue-retry">
                      Retry
                    </Button>
                  </div>
                ) : null}
                {finished && failures.length ? (
                  <div className="flex items-center justify-between gap-x-4">
                    <FormError error={`${countOf(failures.length, "card")} could not be issued: ${errorSentence(failures[0].error)}`} />
                    <Button size="small" variant="secondary" onClick={() => run.redo([...new Set(failures.map((f) => f.chunkIndex))])}>
                      Retry those
                    </Button>
                  </div>
                ) : null}
                {finished && cards.length ? (
                  <div className="bg-ui-bg-subtle flex flex-col gap-y-3 rounded-lg border p-4" data-testid="bulk-issue-done">
                    <Text weight="plus">
                      {countOf(cards.length, "gift card")} of {formatMoney(cards[0].balance, cards[0].currency_code)} issued.
                    </Text>
                    <Text size="small" className="text-ui-fg-subtle">
                      Download the codes now: this is the only time they are shown together. Keep the file safe, a code is money.
                    </Text>
                    <div>
                      <Button size="small" onClick={download} data-testid="bulk-issue-download">
                        Download CSV of codes
                      </Button>
                    </div>
                    {downloaded ? (
                      <Text size="small" className="text-ui-fg-subtle" data-testid="bulk-issue-downloaded">
                        Downloaded.
                      </Text>
                    ) : null}
                  </div>
                ) : null}
              </div>
            ) : (
              <>
                <FormError error={error && field !== "amount" ? errorSentence(error) : null} />
                <div className="grid grid-cols-2 gap-4">
                  <Field label="Number of cards" hint={`1 to ${BULK_ISSUE_MAX.toLocaleString()}`} htmlFor="bulk-issue-count">
                    <Input id="bulk-issue-count" inputMode="numeric" placeholder="100" value={count} onChange={(e) => setCount(e.target.value)} />
                  </Field>
                  <Field label="Value of each" error={field === "amount" ? errorSentence(error) : null} htmlFor="bulk-issue-value">
                    <Input id="bulk-issue-value" inputMode="decimal" placeholder="0.00" value={value} onChange={(e) => setValue(e.target.value)} />
                  </Field>
                  <Field label="Currency">
                    <CurrencySelect value={currency} onChange={setCurrency} testId="bulk-issue-currency" />
                  </Field>
                  <Field label="Expires (optional)" htmlFor="bulk-issue-expires">
                    <Input id="bulk-issue-expires" type="date" value={expires} onChange={(e) => setExpires(e.target.value)} />
                  </Field>
                  <Field label="Paid for?">
                    <MoneySourceSelect value={source} onChange={setSource} />
                  </Field>
                </div>
                {countOk && valueOk && currency ? (
                  <Text size="small" className="text-ui-fg-subtle" data-testid="bulk-issue-total">
                    {countOf(n, "card")} of {formatMoney(value.trim(), currency)}: {formatMoney(totalOf(n, value.trim()), currency)} in all,{" "}
                    {source === "received" ? "paid for (from Bank)" : "promotional (from Unpaid source)"}.
                  </Text>
                ) : null}
              </>
            )}
          </div>
        </FocusModal.Body>
      </FocusModal.Content>
    </FocusModal>
  )
}

/** The day a card ends as the merchant chose it (the end is 23:59:59 of that day, local time). */
function localDate(value: string) {
  const d = new Date(value)
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`
}

/** count × value, exactly (value a plain decimal string). */
function totalOf(count: number, value: string) {
  const [i, f = ""] = value.split(".")
  const digits = (BigInt(i + f) * BigInt(count)).toString().padStart(f.length + 1, "0")
  return f.length ? `${digits.slice(0, -f.length)}.${digits.slice(-f.length)}` : digits
}
