import { TYPE_CODES, typeId } from "../../modules/ledger/core"
import type LedgerModuleService from "../../modules/ledger/service"
import type { ImportItem } from "./types"

/**
 * A customer has one store-credit wallet per currency (the ledger's `ensureWallet` finds the
 * open one). An imported wallet for a customer who already has one in the ledger, opened by
 * something other than this import, would be a second one that checkout never picks: such
 * items are refused with `wallet_exists`. Reads the ledger's accounts of the items'
 * customers, 1,000 customers a query.
 */
export async function refuseExistingWallets(ledger: LedgerModuleService, items: ImportItem[]): Promise<void> {
  const wallets = items.filter((i) => !i.error && i.input.customer_id && !i.input.code && !i.input.generate_code)
  const customers = [...new Set(wallets.map((i) => i.input.customer_id as string))]
  const storeCredit = typeId(TYPE_CODES.storeCredit)
  const existing = new Map<string, { id: string; key: string | null }>()
  for (let n = 0; n < customers.length; n += 1000) {
    const accounts = await ledger.listLedgerAccounts(
      { customer_id: customers.slice(n, n + 1000), type_id: storeCredit, code: null, status: ["open", "frozen"] } as any,
      { select: ["id", "customer_id", "currency_code", "idempotency_key", "product_ids"], take: null } as any
    )
    for (const a of accounts as any[]) {
      if (a.product_ids) continue
      existing.set(`${a.customer_id}:${a.currency_code}`, { id: a.id, key: a.idempotency_key })
    }
  }
  for (const item of wallets) {
    const found = existing.get(`${item.input.customer_id}:${item.currency_code}`)
    if (found && found.key !== item.input.idempotency_key) {
      item.error = {
        code: "wallet_exists",
        message: `Customer ${item.input.customer_id} already has a ${item.currency_code.toUpperCase()} store-credit wallet in the ledger (${found.id}); top it up instead, or close it and import again`,
      }
    }
  }
}
