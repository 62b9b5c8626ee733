import { Context } from "@medusajs/framework/types"
import {
  InjectManager,
  InjectTransactionManager,
  MedusaContext,
  MedusaService,
  generateEntityId,
} from "@medusajs/framework/utils"
import { LedgerError } from "../ledger/errors"
import CodeGuardClient from "./models/code-guard-client"
import { CodeGuardModuleOptions, ResolvedCodeGuardOptions, resolveCodeGuardOptions } from "./options"
import {
  FRESH,
  GuardState,
  afterFailure,
  afterSuccess,
  isAllowed,
  isBlocked,
  isCooling,
  undoAttempt,
} from "./rules"

type Executor = { execute: (sql: string, params?: unknown[]) => Promise<any[]> }

export type CodeGuardStatus = GuardState & { client: string; cooling: boolean; blocked: boolean }

const COLUMNS = `consecutive_failures, total_failures, cooling_until, blocked_at, last_failure_at`

// Deliberately the same whatever the reason and whatever code was sent: it must not tell
// a guesser anything about any code.
const BLOCKED_MESSAGE = "Too many failed code attempts from this client. Try again later."

/**
 * Counts failed gift-card code attempts per client (an address) and refuses clients that
 * fail too often: `maxConsecutiveFailures` in a row cool off for `coolOffSeconds`,
 * `maxFailures` in all are blocked. Every change runs under the client's row lock and
 * reads the database clock, so servers sharing the database count as one.
 */
export default class CodeGuardModuleService extends MedusaService({ CodeGuardClient }) {
  protected readonly guardOptions_: ResolvedCodeGuardOptions

  constructor(container: Record<string, unknown>, options: CodeGuardModuleOptions = {}) {
    // @ts-ignore MedusaService's constructor takes the container
    super(...arguments)
    this.guardOptions_ = resolveCodeGuardOptions(options)
  }

  get guardOptions(): ResolvedCodeGuardOptions {
    return { ...this.guardOptions_ }
  }

  /** Throws `code_blocked` (429) while the client is blocked or cooling off. */
  @InjectManager()
  async assertAllowed(client: string, @MedusaContext() ctx: Context = {}): Promise<void> {
    const em = ctx.manager as Executor
    const [row] = await em.execute(
      `SELECT ${COLUMNS}, clock_timestamp() AS db_now FROM code_guard_client WHERE client = ? AND deleted_at IS NULL`,
      [checkClient(client)]
    )
    if (row && !isAllowed(toState(row), this.guardOptions_, new Date(row.db_now))) {
      throw new LedgerError("code_blocked", BLOCKED_MESSAGE)
    }
  }

  /** Counts a failed attempt; starts a cool-off or a block when a threshold is reached. */
  async recordFailure(client: string): Promise<CodeGuardStatus> {
    return this.change_(checkClient(client), (s, now) => afterFailure(s, this.guardOptions_, now))
  }

  /** A code was found: the client's run of failures ends (the total stays). */
  @InjectManager()
  async recordSuccess(client: string, @MedusaContext() ctx: Context = {}): Promise<void> {
    // One statement: atomic on its own, and nothing to write for a client without failures.
    await (ctx.manager as Executor).execute(
      `UPDATE code_guard_client SET consecutive_failures = 0, cooling_until = NULL, updated_at = clock_timestamp()
        WHERE client = ? AND deleted_at IS NULL AND (consecutive_failures > 0 OR cooling_until IS NOT NULL)`,
      [checkClient(client)]
    )
  }

  /** For admins: forgets a client's failures, ending any cool-off or block. */
  @InjectManager()
  async clearClient(client: string, @MedusaContext() ctx: Context = {}): Promise<void> {
    await (ctx.manager as Executor).execute(
      `UPDATE code_guard_client SET ${COLUMNS.split(", ")
        .map((c) => `${c} = ${c.endsWith("failures") ? "0" : "NULL"}`)
        .join(", ")}, updated_at = clock_timestamp()
        WHERE client = ? AND deleted_at IS NULL`,
      [checkClient(client)]
    )
  }

  /** For admins: a client's counters and whether it is cooling off or blocked now. */
  @InjectManager()
  async getClientStatus(client: string, @MedusaContext() ctx: Context = {}): Promise<CodeGuardStatus> {
    const key = checkClient(client)
    const [row] = await (ctx.manager as Executor).execute(
      `SELECT ${COLUMNS}, clock_timestamp() AS db_now FROM code_guard_client WHERE client = ? AND deleted_at IS NULL`,
      [key]
    )
    return this.status_(key, row ? toState(row) : FRESH, row ? new Date(row.db_now) : new Date())
  }

  /**
   * Runs a code lookup for `client`: refused with `code_blocked` while the client is
   * blocked or cooling off; a `not_found` from `fn` counts as a failure, a result ends
   * the run. The attempt is counted before `fn` runs and taken back after, so a burst of
   * parallel guesses gets no more tries than the thresholds allow.
   */
  async guard<T>(client: string, fn: () => Promise<T>): Promise<T> {
    const key = checkClient(client)
    const opts = this.guardOptions_
    let admitted = false
    await this.change_(key, (s, now) => {
      admitted = isAllowed(s, opts, now)
      return admitted ? { ...afterFailure(s, opts, now), last_failure_at: s.last_failure_at } : null
    })
    if (!admitted) {
      throw new LedgerError("code_blocked", BLOCKED_MESSAGE)
    }
    let result: T
    try {
      result = await fn()
    } catch (err) {
      if (isUnknownCode(err)) {
        await this.change_(key, (s, now) => ({ ...s, last_failure_at: now }))
      } else {
        await this.change_(key, (s) => undoAttempt(s, opts, false))
      }
      throw err
    }
    await this.change_(key, (s) => undoAttempt(s, opts, true))
    return result
  }

  /** Applies `next` to the client's counters under its row lock; null leaves them as they are. */
  @InjectTransactionManager()
  protected async change_(
    client: string,
    next: (state: GuardState, now: Date) => GuardState | null,
    @MedusaContext() ctx: Context = {}
  ): Promise<CodeGuardStatus> {
    const em = ctx.transactionManager as Executor
    await em.execute(
      `INSERT INTO code_guard_client (id, client) VALUES (?, ?) ON CONFLICT (client) WHERE deleted_at IS NULL DO NOTHING`,
      [generateEntityId(undefined, "cgc"), client]
    )
    const [row] = await em.execute(
      `SELECT id, ${COLUMNS}, clock_timestamp() AS db_now FROM code_guard_client
        WHERE client = ? AND deleted_at IS NULL FOR UPDATE`,
      [client]
    )
    const now = new Date(row.db_now)
    const current = toState(row)
    const changed = next(current, now)
    if (changed) {
      await em.execute(
        `UPDATE code_guard_client SET consecutive_failures = ?, total_failures = ?, cooling_until = ?,
           blocked_at = ?, last_failure_at = ?, updated_at = ? WHERE id = ?`,
        [
          changed.consecutive_failures,
          changed.total_failures,
          changed.cooling_until,
          changed.blocked_at,
          changed.last_failure_at,
          now,
          row.id,
        ]
      )
    }
    return this.status_(client, changed ?? current, now)
  }

  protected status_(client: string, state: GuardState, now: Date): CodeGuardStatus {
    return {
      client,
      ...state,
      cooling: isCooling(state, this.guardOptions_, now),
      blocked: isBlocked(state, this.guardOptions_, now),
    }
  }
}

function toState(row: any): GuardState {
  const date = (v: unknown) => (v ? new Date(v as string) : null)
  return {
    consecutive_failures: Number(row.consecutive_failures),
    total_failures: Number(row.total_failures),
    cooling_until: date(row.cooling_until),
    blocked_at: date(row.blocked_at),
    last_failure_at: date(row.last_failure_at),
  }
}

function checkClient(client: unknown): string {
  if (typeof client !== "string" || !client.trim() || client.length > 255) {
    throw new LedgerError("invalid_request", "client must be a non-empty string of at most 255 characters")
  }
  return client.trim()
}

/** The lookup said the code does not exist: that is what a guesser sees most. */
function isUnknownCode(err: unknown): boolean {
  const e = err as any
  return !!e && (e instanceof LedgerError || e.name === "LedgerError") && e.code === "not_found"
}
