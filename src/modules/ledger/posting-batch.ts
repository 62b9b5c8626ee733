import { Context } from "@medusajs/framework/types"
import { CORE_ROLES, CoreRole, coreAccountId } from "./core"
import { LedgerError } from "./errors"
import { parseAmount } from "./money"
import { runSql } from "./sql"
import type { Amount, PostingOptions } from "./types"

/** One posting of a batch posted all together (postAll). */
export interface PostingInput {
  kind: "transfer" | "load" | "redemption" | "refund" | "reversal"
  /** transfer, load, redemption: the accounts (either may be "@role") */
  source_id?: string
  destination_id?: string
  /** refund, reversal: the transfer (id or reference) */
  parent?: string
  /** required except for a reversal */
  amount?: Amount
  options?: PostingOptions
}

/** A posting with its accounts and parent resolved to ids. */
export type ResolvedPosting = {
  kind: PostingInput["kind"]
  source: string
  destination: string
  parent: string | null
  amount: string | null
  options: PostingOptions
}

const isCore = (id: string) => id.startsWith("acc_sys_")

/**
 * Resolves a batch's parents and role references with plain reads (ids, parents and
 * currencies never change), so its locks can be taken up front.
 */
export async function resolvePostings(ctx: Context, postings: PostingInput[]): Promise<ResolvedPosting[]> {
  const resolved: ResolvedPosting[] = []
  for (const p of postings) {
    if (!["transfer", "load", "redemption", "refund", "reversal"].includes(p.kind)) {
      throw new LedgerError("invalid_request", `kind must be transfer, load, redemption, refund or reversal`)
    }
    const amount = p.amount === undefined || p.amount === null ? null : parseAmount(p.amount, undefined)
    if (amount === null && p.kind !== "reversal") {
      throw new LedgerError("invalid_amount", "amount is required")
    }
    if (p.kind === "refund" || p.kind === "reversal") {
      const [parent] = await runSql(
        ctx,
        `SELECT id, source_id, destination_id FROM ledger_transfer WHERE (id = ? OR reference = ?) AND deleted_at IS NULL`,
        [p.parent, p.parent]
      )
      if (!parent) {
        throw new LedgerError("not_found", `Transfer ${p.parent} not found`)
      }
      resolved.push({ kind: p.kind, source: parent.destination_id, destination: parent.source_id, parent: parent.id, amount, options: p.options ?? {} })
      continue
    }
    let source = requireId(p.source_id)
    let destination = requireId(p.destination_id)
    if (source.startsWith("@") !== destination.startsWith("@")) {
      const [other] = await runSql(ctx, `SELECT currency_code FROM ledger_account WHERE id = ?`, [
        source.startsWith("@") ? destination : source,
      ])
      if (!other) {
        throw new LedgerError("not_found", `Account ${source.startsWith("@") ? destination : source} not found`)
      }
      if (source.startsWith("@")) source = coreAccountId(source.slice(1) as CoreRole, other.currency_code)
      else destination = coreAccountId(destination.slice(1) as CoreRole, other.currency_code)
    } else if (source.startsWith("@")) {
      throw new LedgerError("invalid_request", "only one side may name a core account by role")
    }
    resolved.push({ kind: p.kind, source, destination, parent: null, amount, options: p.options ?? {} })
  }
  return resolved
}

/**
 * Takes all of a batch's locks before anything is posted, in the ledger's one order: the
 * idempotency keys, the parent transfers, the accounts by id, and for each core account
 * (their ids sort last) its balance shards in shard order, then its row. Each posting
 * then finds its locks already held, so a batch never takes a lock out of order and
 * cannot deadlock with another batch or a single posting. Holding a core account's
 * shards makes checkouts crediting it wait for the batch, as a refund out of it does.
 */
export async function lockPostings(ctx: Context, postings: ResolvedPosting[], alsoAccounts: string[] = []): Promise<void> {
  const sorted = (values: (string | null | undefined)[]) =>
    [...new Set(values.filter((v): v is string => !!v))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  for (const key of sorted(postings.map((p) => p.options.idempotency_key))) {
    await runSql(ctx, `SELECT ledger_lock_key(?)`, [key])
  }
  const lockRows = async (table: string, ids: string[]) => {
    if (ids.length) {
      await runSql(
        ctx,
        `SELECT 1 FROM ${table} WHERE id IN (${ids.map(() => "?").join(", ")}) ORDER BY id COLLATE "C" FOR NO KEY UPDATE`,
        ids
      )
    }
  }
  await lockRows("ledger_transfer", sorted(postings.map((p) => p.parent)))
  const accounts = sorted([...postings.flatMap((p) => [p.source, p.destination]), ...alsoAccounts])
  await lockRows("ledger_account", accounts.filter((id) => !isCore(id)))
  for (const core of accounts.filter(isCore)) {
    await runSql(ctx, `SELECT 1 FROM ledger_balance_shard WHERE account_id = ? ORDER BY shard FOR NO KEY UPDATE`, [core])
    await lockRows("ledger_account", [core])
  }
}

function requireId(id: string | undefined): string {
  if (typeof id !== "string" || !id) {
    throw new LedgerError("invalid_request", "source_id and destination_id are required")
  }
  if (id.startsWith("@") && !CORE_ROLES.includes(id.slice(1) as CoreRole)) {
    throw new LedgerError("invalid_request", `Unknown core account ${id}`)
  }
  return id
}
