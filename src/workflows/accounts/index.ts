export * from "./workflows/bulk-credit"
export type { BulkCreditResult, BulkCreditRowResult } from "./steps/post-bulk-credit"
