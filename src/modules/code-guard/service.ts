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

/** A client as the admin sees it: its counters, its state now and until when it lasts. */
export type CodeGuardClientInfo = CodeGuardStatus & { blocked_until: Date | null }

const COLUMNS = `consecutive_failures, total_failures, cooling_until, blocked_at, last_failure_at`

// Deliberately the same whatever the reason and whatever code was sent: it must not tell
// a guesser anything about any code.
const BLOCKED_MESSAGE = "Too many failed code attempts. Try again later."

/**
 * Counts failed gift-card code attempts per client key (an address, `customer:<id>`,
 * `cart:<id>`) and refuses keys that fail too often: `maxConsecutiveFailures` in a row
 * cool off for `coolOffSeconds`, `maxFailures` in all are blocked. Every change runs under
 * the keys' row locks and reads the database clock, so servers sharing the database
 * count as one.
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

  /** Throws `code_blocked` (429) while any of the clients is blocked or cooling off. */
  @InjectManager()
  async assertAllowed(clients: string | string[], @MedusaContext() ctx: Context = {}): Promise<void> {
    const keys = guardKeys(clients)
    const rows = await (ctx.manager as Executor).execute(
      `SELECT ${COLUMNS}, clock_timestamp() AS db_now FROM code_guard_client
        WHERE client IN (${placeholders(keys)}) AND deleted_at IS NULL`,
      keys
    )
    if (rows.some((row) => !isAllowed(toState(row), this.guardOptions_, new Date(row.db_now)))) {
      throw new LedgerError("code_blocked", BLOCKED_MESSAGE)
    }
  }

  /** Counts a failed attempt; starts a cool-off or a block when a threshold is reached. */
  async recordFailure(client: string): Promise<CodeGuardStatus> {
    const [status] = await this.change_([checkClient(client)], (states, now) =>
      states.map((s) => afterFailure(s, this.guardOptions_, now))
    )
    return status
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

  /**
   * For admins: forgets a client's failures, ending any cool-off or block. True when the
   * client was known (had attempted a code), false otherwise.
   */
  @InjectManager()
  async clearClient(client: string, @MedusaContext() ctx: Context = {}): Promise<boolean> {
    const rows = await (ctx.manager as Executor).execute(
      `UPDATE code_guard_client SET ${COLUMNS.split(", ")
        .map((c) => `${c} = ${c.endsWith("failures") ? "0" : "NULL"}`)
        .join(", ")}, updated_at = clock_timestamp()
        WHERE client = ? AND deleted_at IS NULL RETURNING id`,
      [checkClient(client)]
    )
    return rows.length > 0
  }

  /**
   * For admins: the clients with failures on record, the latest failure first, each with
   * whether it is cooling off or blocked now and until when (`blocked_until` is null for a
   * block that lasts until cleared). `blocked` / `cooling` keep the clients in (true) or
   * out of (false) that state now; `q` matches part of the key.
   */
  @InjectManager()
  async listClients(
    filter: { blocked?: boolean; cooling?: boolean; q?: string; limit?: number; offset?: number } = {},
    @MedusaContext() ctx: Context = {}
  ): Promise<{ clients: CodeGuardClientInfo[]; count: number; limit: number; offset: number }> {
    const o = this.guardOptions_
    const limit = Math.min(Math.max(filter.limit ?? 50, 1), 1000)
    const offset = Math.max(filter.offset ?? 0, 0)
    // The state as the rules define it (rules.ts), by the database clock.
    const blocked = `(total_failures >= ? AND (?::numeric IS NULL OR
      coalesce(blocked_at, last_failure_at, clock_timestamp()) + ?::numeric * interval '1 second' > clock_timestamp()))`
    const blockedParams = [o.maxFailures, o.blockSeconds, o.blockSeconds]
    const cooling = `(consecutive_failures >= ? AND cooling_until > clock_timestamp())`
    const where = [
      "deleted_at IS NULL",
      "(total_failures > 0 OR consecutive_failures > 0 OR cooling_until IS NOT NULL OR blocked_at IS NOT NULL)",
    ]
    const params: unknown[] = []
    if (filter.blocked !== undefined) {
      where.push(filter.blocked ? blocked : `NOT ${blocked}`)
      params.push(...blockedParams)
    }
    if (filter.cooling !== undefined) {
      where.push(filter.cooling ? cooling : `NOT ${cooling}`)
      params.push(o.maxConsecutiveFailures)
    }
    if (filter.q) {
      where.push(`client ILIKE ?`)
      params.push(`%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)
    }
    const em = ctx.manager as Executor
    const rows = await em.execute(
      `SELECT client, ${COLUMNS}, clock_timestamp() AS db_now, count(*) OVER ()::int AS total FROM code_guard_client
        WHERE ${where.join(" AND ")}
        ORDER BY last_failure_at DESC NULLS LAST, client COLLATE "C" LIMIT ? OFFSET ?`,
      [...params, limit, offset]
    )
    let count = rows[0]?.total
    if (count === undefined) {
      count = offset === 0 ? 0 : Number((await em.execute(`SELECT count(*)::int AS n FROM code_guard_client WHERE ${where.join(" AND ")}`, params))[0].n)
    }
    const clients = rows.map((row) => {
      const state = toState(row)
      const status = this.status_(row.client, state, new Date(row.db_now))
      const since = state.blocked_at ?? state.last_failure_at
      return {
        ...status,
        cooling_until: status.cooling ? state.cooling_until : null,
        blocked_until: status.blocked && o.blockSeconds !== null && since ? new Date(since.getTime() + o.blockSeconds * 1000) : null,
      }
    })
    return { clients, count: Number(count), limit, offset }
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
   * Runs a code lookup for a request known by several keys (its address, the customer, the
   * cart): refused with `code_blocked` while any key is blocked or cooling off; a
   * `not_found` from `fn` counts as a failure of every key, a result ends their runs. The
   * attempt is counted before `fn` runs and taken back after, so a burst of parallel
   * guesses gets no more tries than the thresholds allow.
   */
  async guard<T>(clients: string | string[], fn: () => Promise<T>): Promise<T> {
    const keys = guardKeys(clients)
    const opts = this.guardOptions_
    // A plain read first: a refused request writes nothing (no rows for fresh keys either).
    await this.assertAllowed(keys)
    let admitted = false
    await this.change_(keys, (states, now) => {
      admitted = states.every((s) => isAllowed(s, opts, now))
      return admitted ? states.map((s) => ({ ...afterFailure(s, opts, now), last_failure_at: s.last_failure_at })) : null
    })
    if (!admitted) {
      throw new LedgerError("code_blocked", BLOCKED_MESSAGE)
    }
    const settle = (next: (s: GuardState, now: Date) => GuardState) =>
      this.change_(keys, (states, now) => states.map((s) => next(s, now)))
    let result: T
    try {
      result = await fn()
    } catch (err) {
      if (isUnknownCode(err)) {
        await settle((s, now) => ({ ...s, last_failure_at: now }))
      } else {
        await settle((s) => undoAttempt(s, opts, false))
      }
      throw err
    }
    await settle((s) => undoAttempt(s, opts, true))
    return result
  }

  /**
   * Applies `next` to the counters of `keys` (sorted, see guardKeys) under their row locks;
   * null leaves them as they are. Rows are created and locked in that one order, so
   * requests sharing some keys wait for each other instead of deadlocking.
   */
  @InjectTransactionManager()
  protected async change_(
    keys: string[],
    next: (states: GuardState[], now: Date) => GuardState[] | null,
    @MedusaContext() ctx: Context = {}
  ): Promise<CodeGuardStatus[]> {
    const em = ctx.transactionManager as Executor
    await em.execute(
      `INSERT INTO code_guard_client (id, client) VALUES ${keys.map(() => "(?, ?)").join(", ")}
        ON CONFLICT (client) WHERE deleted_at IS NULL DO NOTHING`,
      keys.flatMap((key) => [generateEntityId(undefined, "cgc"), key])
    )
    const rows = await em.execute(
      `SELECT id, client, ${COLUMNS}, clock_timestamp() AS db_now FROM code_guard_client
        WHERE client IN (${placeholders(keys)}) AND deleted_at IS NULL ORDER BY client COLLATE "C" FOR UPDATE`,
      keys
    )
    const byKey = new Map(rows.map((row) => [row.client as string, row]))
    const locked = keys.map((key) => byKey.get(key))
    const now = new Date(Math.max(...locked.map((row) => new Date(row.db_now).getTime())))
    const current = locked.map(toState)
    const changed = next(current, now)
    if (changed) {
      // One statement for all keys; the casts type the VALUES list, whose nulls are untyped.
      await em.execute(
        `UPDATE code_guard_client c SET consecutive_failures = v.consecutive, total_failures = v.total,
           cooling_until = v.cooling_until, blocked_at = v.blocked_at, last_failure_at = v.last_failure_at, updated_at = ?
           FROM (VALUES ${keys.map(() => "(?, ?::int, ?::int, ?::timestamptz, ?::timestamptz, ?::timestamptz)").join(", ")})
             AS v(id, consecutive, total, cooling_until, blocked_at, last_failure_at)
          WHERE c.id = v.id`,
        [
          now,
          ...changed.flatMap((s, i) => [
            locked[i].id,
            s.consecutive_failures,
            s.total_failures,
            s.cooling_until,
            s.blocked_at,
            s.last_failure_at,
          ]),
        ]
      )
    }
    return keys.map((key, i) => this.status_(key, (changed ?? current)[i], now))
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

/** Checked, without duplicates, in byte order: the order PostgreSQL's "C" collation sorts in. */
function guardKeys(clients: string | string[]): string[] {
  const keys = [...new Set([clients].flat().map(checkClient))]
  if (!keys.length) {
    throw new LedgerError("invalid_request", "at least one client key is needed")
  }
  return keys.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
}

const placeholders = (keys: string[]) => keys.map(() => "?").join(", ")

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
