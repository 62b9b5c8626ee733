import { ModuleProvider, Modules } from "@medusajs/framework/utils"
import AccountPaymentProvider from "./service"

// Registered as pp_account_<id>; the README's config uses id "account" → pp_account_account.
export default ModuleProvider(Modules.PAYMENT, {
  services: [AccountPaymentProvider],
})

export type { default as AccountPaymentProvider } from "./service"
export type { AccountPaymentData } from "./captures"
