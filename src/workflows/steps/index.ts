export * from "./create-ledger-account"
export * from "./post-ledger-transfer"
export * from "./set-ledger-account-status"
export * from "./update-ledger-account"
