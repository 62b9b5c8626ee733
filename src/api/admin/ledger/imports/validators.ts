import { z } from "@medusajs/framework/zod"

/** Largest `csv` of POST /admin/ledger/imports/csv, in characters; larger files go through the script. */
export const MAX_CSV_CHARS = 5 * 1024 * 1024
/** The body limit of that route (the CSV as a JSON string, escaped, and the options): jsonBodyWithin. */
export const CSV_BODY_BYTES = 6 * 1024 * 1024

const Mode = z.enum(["independent", "atomic"])

export const AdminImportLoyalty = z
  .object({ dry_run: z.boolean().optional(), mode: Mode.optional() })
  .strict()
export type AdminImportLoyaltyType = z.infer<typeof AdminImportLoyalty>

export const AdminImportCsv = z
  .object({
    csv: z.string().min(1).max(MAX_CSV_CHARS, { message: `at most ${MAX_CSV_CHARS} characters; import larger files with the script` }),
    dry_run: z.boolean().optional(),
    mode: Mode.optional(),
  })
  .strict()
export type AdminImportCsvType = z.infer<typeof AdminImportCsv>
