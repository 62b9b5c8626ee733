/** react-query keys; mutations invalidate by prefix so every view of the ledger refreshes. */
export const ledgerKeys = {
  all: ["ledger"] as const,
  accounts: (q?: unknown) => ["ledger", "accounts", q] as const,
  account: (id: string) => ["ledger", "account", id] as const,
  transfers: (q?: unknown) => ["ledger", "transfers", q] as const,
  transfer: (ref: string) => ["ledger", "transfer", ref] as const,
  reports: (kind: string, q?: unknown) => ["ledger", "reports", kind, q] as const,
  settings: (what: string) => ["ledger", "settings", what] as const,
  order: (id: string) => ["ledger", "order", id] as const,
}
