import { Context } from "@medusajs/framework/types"
import { InjectManager, InjectTransactionManager, MedusaContext } from "@medusajs/framework/utils"
import { LedgerError } from "../errors"
import { newId } from "../ids"
import { DeferredIncomeReport, PeriodQuery, ProfitLossReport, ReportExec, ReportQuery, TrialBalanceReport, beginReport, deferredIncomeReport, profitLossReport, trialBalanceReport } from "../reports"
import { runSql } from "../sql"
import type { VerifyResult } from "../types"
import { TRIAL_BALANCE_SQL, VERIFY_CHECKS, VERIFY_LIMIT } from "../verify"
import { type LedgerCheckRunRecord, CHECK_RUNS_KEPT } from "./base"
import { LedgerOperations } from "./operations"

/** Checks and reports: verify(), the stored check runs, and the finance reports (see ../reports.ts). */
export class LedgerChecks extends LedgerOperations {
  /** Every invariant of the ledger, checked on the live database, with the offending rows. */
  @InjectManager()
  async verify(@MedusaContext() ctx: Context = {}): Promise<VerifyResult> {
    const checks = []
    for (const check of VERIFY_CHECKS) {
      const rows = await runSql(ctx, check.sql)
      checks.push({
        name: check.name,
        description: check.description,
        ok: rows.length === 0,
        count: rows.length,
        offending: rows.slice(0, VERIFY_LIMIT),
      })
    }
    const trial = await runSql(ctx, TRIAL_BALANCE_SQL)
    return {
      ok: checks.every((c) => c.ok),
      checked_at: new Date(),
      trial_balance: trial,
      checks,
    }
  }

  /** Records a reconciliation sweep or verify() run; keeps the last CHECK_RUNS_KEPT of its kind. */
  @InjectTransactionManager()
  async recordCheckRun(
    run: { kind: LedgerCheckRunRecord["kind"]; ok: boolean; started_at: Date | string; finished_at?: Date | string; report: unknown },
    @MedusaContext() ctx: Context = {}
  ): Promise<LedgerCheckRunRecord> {
    if (!["reconciliation", "verify"].includes(run.kind)) {
      throw new LedgerError("invalid_request", `Unknown check run kind ${run.kind}`)
    }
    const [row] = await runSql(
      ctx,
      `INSERT INTO ledger_check_run (id, kind, ok, started_at, finished_at, report)
       VALUES (?, ?, ?, ?::timestamptz, ?::timestamptz, ?::jsonb) RETURNING *`,
      [newId("lrun"), run.kind, !!run.ok, new Date(run.started_at), new Date(run.finished_at ?? new Date()), JSON.stringify(run.report ?? null)]
    )
    await runSql(
      ctx,
      `DELETE FROM ledger_check_run WHERE kind = ? AND id NOT IN
         (SELECT id FROM ledger_check_run WHERE kind = ? ORDER BY started_at DESC, id DESC LIMIT ?)`,
      [run.kind, run.kind, CHECK_RUNS_KEPT]
    )
    return row
  }

  /** The last run of each kind (null when it never ran). */
  @InjectManager()
  async lastCheckRuns(@MedusaContext() ctx: Context = {}): Promise<Record<LedgerCheckRunRecord["kind"], LedgerCheckRunRecord | null>> {
    const rows = await runSql<LedgerCheckRunRecord>(
      ctx,
      `SELECT DISTINCT ON (kind) * FROM ledger_check_run WHERE deleted_at IS NULL ORDER BY kind, started_at DESC, id DESC`
    )
    return {
      reconciliation: rows.find((r) => r.kind === "reconciliation") ?? null,
      verify: rows.find((r) => r.kind === "verify") ?? null,
    }
  }

  /** Days of Medusa's captures, refunds and cancellations a reconciliation sweep looks back over by default. */
  get reconcileDays(): number {
    return this.options_.reconcileDays
  }

  /** Deferred income as of a moment (default now), per account type and time to expiry. */
  async deferredIncomeReport(query: ReportQuery = {}, ctx: Context = {}): Promise<DeferredIncomeReport> {
    return this.report_((exec, now) => deferredIncomeReport(exec, now, query), ctx)
  }

  /** Profit and loss of a period (default the 30 days of 24 h to now): its lines and the change in deferred income. */
  async profitLossReport(query: PeriodQuery = {}, ctx: Context = {}): Promise<ProfitLossReport> {
    return this.report_((exec, now) => profitLossReport(exec, now, query), ctx)
  }

  /** Every account type's balance as of a moment (default now), per currency; sums to zero. */
  async trialBalanceReport(query: ReportQuery = {}, ctx: Context = {}): Promise<TrialBalanceReport> {
    return this.report_((exec, now) => trialBalanceReport(exec, now, query), ctx)
  }

  /** A report's statements in one read-only snapshot: a transaction of its own unless given one. */
  protected async report_<T>(run: (exec: ReportExec, now: string) => Promise<T>, ctx: Context): Promise<T> {
    return this.reportIn_(run, !ctx.transactionManager, ctx) as Promise<T>
  }

  @InjectTransactionManager()
  protected async reportIn_(run: (exec: ReportExec, now: string) => Promise<unknown>, own: boolean, @MedusaContext() ctx: Context = {}) {
    const exec: ReportExec = (sql, params) => runSql(ctx, sql, params)
    return run(exec, await beginReport(exec, own))
  }
}
