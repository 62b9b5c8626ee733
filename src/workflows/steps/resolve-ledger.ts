import type { MedusaContainer } from "@medusajs/framework/types"
import { LEDGER_MODULE } from "../../modules/ledger"
import type LedgerModuleService from "../../modules/ledger/service"

export function resolveLedger(container: MedusaContainer): LedgerModuleService {
  return container.resolve<LedgerModuleService>(LEDGER_MODULE)
}
