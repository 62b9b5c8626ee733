import { StepResponse, createStep } from "@medusajs/framework/workflows-sdk"
import { resolveLedger } from "../../steps/resolve-ledger"

/**
 * The customer's store-credit wallet in a currency, opened if missing. Nothing to undo:
 * opening is idempotent per customer and currency, and an empty wallet holds no money.
 */
export const ensureCustomerWalletStep = createStep(
  "ensure-customer-wallet",
  async (input: { customer_id: string; currency_code: string }, { container }) => {
    const wallet = await resolveLedger(container).ensureWallet(input.customer_id, input.currency_code)
    return new StepResponse(wallet)
  }
)
