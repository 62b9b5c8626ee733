import { MedusaModule } from "@medusajs/framework/modules-sdk"
import type LedgerModuleService from "../../modules/ledger/service"

/**
 * A payment provider lives in the payment module's container, which holds no other
 * module; the ledger is reached through Medusa's module registry of this process.
 */
export function ledgerService(): LedgerModuleService {
  const loaded = MedusaModule.getModuleInstance("ledger") as any
  const service = loaded?.ledger ?? loaded
  if (!service || typeof service.hold !== "function") {
    throw new Error("medusa-accounts: the ledger module is not loaded; list the plugin (or its ledger module) in medusa-config")
  }
  return service
}
