import Decimal from "decimal.js"
import type LedgerModuleService from "../../modules/ledger/service"
import type { LedgerActor } from "../../modules/ledger/types"
import { batchCreateAccounts, batchCreateAccountsAtomically, BatchItemResult } from "./ledger-batch"
import {
  IMPORT_CHUNK,
  ImportItem,
  ImportMode,
  ImportReport,
  ImportSource,
  ImportTotals,
  MAX_REPORTED_ERRORS,
} from "./types"

export type RunImportInput = {
  source: ImportSource
  /** the records, or groups of them as they are read (each group is sent on while the next is read) */
  items: ImportItem[] | AsyncIterable<ImportItem[]>
  /** runs on each group before it is sent (e.g. refusals that need the ledger) */
  prepare?: (group: ImportItem[]) => Promise<void>
  dry_run: boolean
  mode: ImportMode
  actor?: LedgerActor
  notes?: string[]
  started_at?: Date
}

type Outcome = { state: "created" | "replayed" | "failed" | "not_posted" | "pending"; balance?: string; error?: { code: string; message: string } }

/**
 * Opens the items' accounts in the ledger, 1,000 a call, and reports. Items refused while
 * mapping never reach the ledger.
 *
 * - dry run: the ledger checks every item and rolls back; nothing is written.
 * - independent: each item stands alone; the refused ones are listed.
 * - atomic: every item is checked first (all of them, so the report lists every refusal);
 *   if any is refused, nothing is written. Otherwise every chunk is written in one
 *   transaction, all or nothing.
 *
 * Every creation carries the item's idempotency key: an item imported before is found
 * again (`replayed`) and changes nothing.
 */
export async function runImport(ledger: LedgerModuleService, input: RunImportInput): Promise<ImportReport> {
  const started = input.started_at ?? new Date()
  const { mode, dry_run } = input
  const items: ImportItem[] = []
  const outcomes: Outcome[] = []
  type Chunk = { item: ImportItem; i: number }[]

  const apply = (chunk: Chunk, results: BatchItemResult[]) => {
    for (const r of results) {
      const at = chunk[r.index].i
      if (r.ok) {
        outcomes[at] = { state: r.replayed ? "replayed" : "created", balance: r.account.balance }
      } else if (r.error.code === "not_posted") {
        outcomes[at] = { state: "not_posted", error: r.error }
      } else {
        outcomes[at] = { state: "failed", error: r.error }
      }
    }
  }
  const call = (chunk: Chunk, opts: { mode: ImportMode; dry_run: boolean }) =>
    batchCreateAccounts(
      ledger,
      chunk.map(({ item }) => item.input),
      { ...opts, actor: input.actor }
    )

  // First pass, as the records come: independent and dry runs post (or check) each chunk;
  // an atomic import checks each chunk (independent, rolled back, so every refusal is listed).
  const first = dry_run || mode === "independent" ? { mode: "independent" as const, dry_run } : { mode: "independent" as const, dry_run: true }
  const chunks: Chunk[] = []
  let open: Chunk = []
  let queue: Promise<void> = Promise.resolve()
  const send = (chunk: Chunk) => {
    chunks.push(chunk)
    queue = queue.then(async () => apply(chunk, (await call(chunk, first)).results))
  }
  const groups: AsyncIterable<ImportItem[]> | ImportItem[][] = Array.isArray(input.items) ? [input.items] : input.items
  try {
    for await (const group of groups) {
      if (input.prepare) await input.prepare(group)
      for (const item of group) {
        const i = items.length
        items.push(item)
        outcomes.push(item.error ? { state: "failed", error: item.error } : { state: "pending" })
        if (item.error) continue
        open.push({ item, i })
        if (open.length === IMPORT_CHUNK) {
          send(open)
          open = []
        }
      }
    }
    if (open.length) send(open)
  } finally {
    // a reading failure still waits for the chunks already sent
    await queue
  }

  let rolledBack = false
  if (!(dry_run || mode === "independent")) {
    // atomic: everything was checked; write only when nothing is refused
    if (outcomes.some((o) => o.state === "failed")) {
      rolledBack = true
      for (const o of outcomes) {
        if (o.state !== "failed") {
          o.state = "not_posted"
          o.error = { code: "not_posted", message: "Not written: another record of this atomic import was refused" }
          delete o.balance
        }
      }
    } else {
      // every chunk in one transaction: a refusal at write time (a code taken since the
      // check, or twice in the file) rolls back every chunk
      const results = await batchCreateAccountsAtomically(
        ledger,
        chunks.map((chunk) => chunk.map(({ item }) => item.input)),
        { actor: input.actor }
      )
      results.forEach((result, n) => apply(chunks[n], result.results))
      rolledBack = results.some((result) => !result.ok)
    }
  }
  return buildReport(input, items, outcomes, started, rolledBack)
}

function buildReport(input: RunImportInput, items: ImportItem[], outcomes: Outcome[], started: Date, rolledBack: boolean): ImportReport {
  const totals = new Map<string, { source: Decimal; records: number; ledger: Decimal; accounts: number }>()
  const errors: ImportReport["errors"] = []
  const counts = {
    read: items.length,
    gift_cards: 0,
    store_credit: 0,
    created: 0,
    replayed: 0,
    failed: 0,
    not_posted: 0,
  }
  items.forEach((item, i) => {
    const o = outcomes[i]
    if (item.kind === "gift_card") counts.gift_cards++
    else counts.store_credit++
    const currency = item.currency_code
    if (!/^[a-z]{3}$/.test(currency)) {
      // a record without a readable currency: counted and listed, in no currency's totals
      if (o.state === "failed") counts.failed++
      else if (o.state === "not_posted") counts.not_posted++
      if (o.state === "failed" && errors.length < MAX_REPORTED_ERRORS) {
        const error = o.error ?? { code: "unexpected_error", message: "No answer from the ledger" }
        errors.push({ ref: item.ref, ...(item.line !== undefined ? { line: item.line } : {}), code: error.code, message: error.message })
      }
      return
    }
    let t = totals.get(currency)
    if (!t) totals.set(currency, (t = { source: new Decimal(0), records: 0, ledger: new Decimal(0), accounts: 0 }))
    if (isDecimal(item.balance)) {
      t.source = t.source.plus(item.balance)
      t.records++
    }
    if (o.state === "created" || o.state === "replayed") {
      counts[o.state]++
      t.ledger = t.ledger.plus(o.balance ?? 0)
      t.accounts++
    } else if (o.state === "not_posted") {
      counts.not_posted++
    } else {
      counts.failed++
      if (errors.length < MAX_REPORTED_ERRORS) {
        const error = o.error ?? { code: "unexpected_error", message: "No answer from the ledger" }
        errors.push({ ref: item.ref, ...(item.line !== undefined ? { line: item.line } : {}), code: error.code, message: error.message })
      }
    }
  })
  const totalsOut: ImportTotals[] = [...totals.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency_code, t]) => ({
      currency_code,
      source_total: t.source.toFixed(),
      source_records: t.records,
      ledger_total: t.ledger.toFixed(),
      ledger_accounts: t.accounts,
      match: t.source.eq(t.ledger),
    }))
  const finished = new Date()
  return {
    source: input.source,
    dry_run: input.dry_run,
    mode: input.mode,
    ok: counts.failed === 0 && counts.not_posted === 0 && totalsOut.every((t) => t.match),
    rolled_back: rolledBack,
    counts,
    totals: totalsOut,
    errors,
    errors_truncated: counts.failed > errors.length,
    notes: input.notes ?? [],
    started_at: started.toISOString(),
    finished_at: finished.toISOString(),
    duration_ms: finished.getTime() - started.getTime(),
  }
}

function isDecimal(v: string) {
  return /^-?\d+(\.\d+)?$/.test(v)
}
