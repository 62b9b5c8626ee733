import { Module } from "@medusajs/framework/utils"
import coreAccountsLoader from "./loaders/core-accounts"
import LedgerModuleService from "./service"

export const LEDGER_MODULE = "ledger"

export default Module(LEDGER_MODULE, {
  service: LedgerModuleService,
  loaders: [coreAccountsLoader],
})

export { LedgerError, LEDGER_ERROR_CODES } from "./errors"
export type { LedgerErrorCode } from "./errors"
export type { LedgerModuleOptions } from "./options"
export * from "./types"
export { LedgerModuleService }
