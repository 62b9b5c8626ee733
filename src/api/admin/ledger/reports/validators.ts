import { z } from "@medusajs/framework/zod"
import { checkPeriod, reportMoment } from "../../../../modules/ledger/reports"
import { CurrencyCodeSchema } from "../../../utils/validators"

const MOMENT = "must be an ISO 8601 date (2026-01-31) or date-time with a time zone (2026-01-31T23:59:59Z)"

/** A report moment (see reportMoment); the service resolves it, this only checks the form. */
const Moment = (edge: "start" | "end") =>
  z.string().max(64).refine(
    (value) => {
      try {
        reportMoment(value, edge, "date")
        return true
      } catch {
        return false
      }
    },
    { message: MOMENT }
  )

// A currency that is not 3 letters is invalid_currency here; an unknown one in the ledger.
const Common = {
  currency_code: CurrencyCodeSchema.optional(),
  format: z.enum(["json", "csv"]).default("json"),
}

export const AdminDeferredIncomeReportParams = z.object({ as_of: Moment("end").optional(), ...Common }).strict()
export type AdminDeferredIncomeReportParamsType = z.infer<typeof AdminDeferredIncomeReportParams>

export const AdminTrialBalanceReportParams = z.object({ as_of: Moment("end").optional(), ...Common }).strict()
export type AdminTrialBalanceReportParamsType = z.infer<typeof AdminTrialBalanceReportParams>

export const AdminProfitLossReportParams = z
  .object({ from: Moment("start").optional(), to: Moment("end").optional(), ...Common })
  .strict()
  .superRefine((value, ctx) => {
    try {
      checkPeriod(value.from, value.to)
    } catch (e: any) {
      ctx.addIssue({ code: "custom", path: ["from"], message: String(e?.message ?? e) })
    }
  })
export type AdminProfitLossReportParamsType = z.infer<typeof AdminProfitLossReportParams>
