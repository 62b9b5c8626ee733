import { StepResponse, createStep } from "@medusajs/framework/workflows-sdk"
import { parseAmount } from "../../../modules/ledger/money"
import type { Amount } from "../../../modules/ledger/types"
import { resolveLedger } from "../../steps/resolve-ledger"

/**
 * The customer's store-credit wallet in a currency, opened if missing. Nothing to undo:
 * opening is idempotent per customer and currency, and an empty wallet holds no money.
 */
export const ensureCustomerWalletStep = createStep(
  "ensure-customer-wallet",
  async (input: { customer_id: string; currency_code: string; amount?: Amount }, { container }) => {
    // A credit the ledger would refuse must not leave a new empty wallet behind.
    if (input.amount !== undefined) parseAmount(input.amount, input.currency_code)
    const wallet = await resolveLedger(container).ensureWallet(input.customer_id, input.currency_code)
    return new StepResponse(wallet)
  }
)
