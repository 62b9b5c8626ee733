import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { LEDGER_MODULE } from "../modules/ledger"
import type LedgerModuleService from "../modules/ledger/service"

/**
 * A region's currency is a currency the store sells in: make sure the ledger has its
 * core accounts (bank, unpaid source, redemptions, ...) before the first order needs them.
 */
export default async function ensureLedgerCurrencies({ event, container }: SubscriberArgs<{ id: string }>) {
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({
    entity: "region",
    fields: ["currency_code"],
    filters: { id: event.data.id },
  })
  const currencies = data.map((r: { currency_code: string }) => r.currency_code).filter(Boolean)
  if (currencies.length) {
    await container.resolve<LedgerModuleService>(LEDGER_MODULE).ensureCoreAccounts(currencies)
  }
}

export const config: SubscriberConfig = {
  event: ["region.created", "region.updated"],
}
