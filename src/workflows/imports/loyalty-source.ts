import Decimal from "decimal.js"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { normalizeCode } from "../../modules/ledger/codes"
import { TYPE_CODES, typeId } from "../../modules/ledger/core"
import { ImportError, ImportItem } from "./types"

/**
 * Reads `@medusajs/loyalty-plugin`'s gift cards and store-credit accounts through its own
 * module services (registered as `loyalty` and `store_credit`) and Query, in pages, and
 * maps them onto ledger account creations.
 *
 * The plugin's model: a gift card (`code`, `value`, `currency_code`, `expires_at`) is
 * backed by an anonymous store-credit account (linked through Query's
 * `gift_card_store_credit_account`) that the card's value was credited to; redeeming and
 * claiming debit that account. An account's balance is the sum of its credit transactions
 * less its debit transactions (as the plugin's own `retrieveAccountStats` computes it).
 *
 * - gift card → a ledger gift card with the same code and expiry, its balance the backing
 *   account's, loaded from `@bank` (money the shop received). A card without a backing
 *   account (status `pending`: its value never loaded) is imported with its value.
 * - store-credit account of a customer → the customer's ledger wallet (no code; the
 *   plugin's code is kept in metadata), loaded from `@unpaid_source`.
 * - anonymous store-credit account backing no gift card → a store-credit account with the
 *   plugin's code, loaded from `@unpaid_source`.
 *
 * Keys: `import:loyalty:<loyalty record id>`.
 */
export const LOYALTY_MODULE = "loyalty"
export const STORE_CREDIT_MODULE = "store_credit"
export const LOYALTY_PACKAGE = "@medusajs/loyalty-plugin"
const PAGE = 5000

type LoyaltyServices = { loyalty: any; storeCredit: any; query: any }

export function resolveLoyalty(container: any): LoyaltyServices {
  const get = (key: string) => {
    try {
      return container.resolve(key, { allowUnregistered: true }) ?? null
    } catch {
      return null
    }
  }
  const loyalty = get(LOYALTY_MODULE)
  const storeCredit = get(STORE_CREDIT_MODULE)
  if (!loyalty || !storeCredit || typeof loyalty.listGiftCards !== "function" || typeof storeCredit.listAccountTransactions !== "function") {
    throw new ImportError(
      "loyalty_not_installed",
      `${LOYALTY_PACKAGE} is not registered in this Medusa app (its modules "${LOYALTY_MODULE}" and "${STORE_CREDIT_MODULE}" are missing): add it to the plugins of medusa-config.ts to import from it`
    )
  }
  return { loyalty, storeCredit, query: container.resolve(ContainerRegistrationKeys.QUERY) }
}

/** Every row of a module's list method, in pages by id (keyset, never offset). */
async function* pages(list: (filters: any, config: any) => Promise<any[]>, select: string[], filters: Record<string, unknown> = {}) {
  let after: string | null = null
  for (;;) {
    const rows: any[] = await list(
      { ...filters, ...(after ? { id: { $gt: after } } : {}) },
      { select, take: PAGE, order: { id: "ASC" } }
    )
    if (!rows.length) return
    yield rows
    if (rows.length < PAGE) return
    after = rows[rows.length - 1].id
  }
}

/** An amount of the plugin's bigNumber fields, exactly (its raw value when there is one). */
function amountOf(row: any, field: string): Decimal {
  const raw = row[`raw_${field}`]
  const value = raw && typeof raw === "object" && raw.value !== undefined ? raw.value : row[field]
  return new Decimal(typeof value === "object" && value !== null && "numeric" in value ? value.numeric : value ?? 0)
}

/** balance per store-credit account id: credits less debits, for the given accounts */
async function balancesOf(storeCredit: any, accountIds: string[]): Promise<Map<string, Decimal>> {
  const balances = new Map<string, Decimal>(accountIds.map((id) => [id, new Decimal(0)]))
  for (let n = 0; n < accountIds.length; n += 1000) {
    const ids = accountIds.slice(n, n + 1000)
    for await (const rows of pages(
      (f, c) => storeCredit.listAccountTransactions(f, c),
      ["id", "account_id", "amount", "raw_amount", "type"],
      { account_id: ids }
    )) {
      for (const t of rows) {
        const amount = amountOf(t, "amount")
        const current = balances.get(t.account_id) ?? new Decimal(0)
        balances.set(t.account_id, t.type === "debit" ? current.minus(amount) : current.plus(amount))
      }
    }
  }
  return balances
}

function meta(obj: Record<string, unknown>) {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== null && v !== undefined && v !== ""))
}

export async function readLoyaltyItems(container: any): Promise<{ items: ImportItem[]; notes: string[] }> {
  const { loyalty, storeCredit, query } = resolveLoyalty(container)
  const items: ImportItem[] = []
  const codes = new Map<string, string>()
  const claimCode = (item: ImportItem, code: string) => {
    let normalized: string
    try {
      normalized = normalizeCode(code)
    } catch {
      return // the ledger refuses it with invalid_code
    }
    const first = codes.get(normalized)
    if (first) {
      item.error = { code: "duplicate_code", message: `Code ${code} is also the code of ${first}: codes are compared without case, dashes or spaces` }
    } else {
      codes.set(normalized, item.ref)
    }
  }
  let unloaded = 0

  // 1. gift cards, each with its backing store-credit account
  const backing = new Map<string, ImportItem>() // store-credit account id → gift card item
  for await (const cards of pages(
    (f, c) => loyalty.listGiftCards(f, c),
    ["id", "code", "status", "value", "raw_value", "currency_code", "expires_at", "reference", "reference_id", "line_item_id", "note"]
  )) {
    const { data: links } = await query.graph({
      entity: "gift_card_store_credit_account",
      fields: ["gift_card_id", "store_credit_account_id"],
      filters: { gift_card_id: cards.map((c: any) => c.id) },
    })
    const accountOf = new Map<string, string>(links.map((l: any) => [l.gift_card_id, l.store_credit_account_id]))
    for (const card of cards) {
      const currency = String(card.currency_code ?? "").toLowerCase()
      const accountId = accountOf.get(card.id) ?? null
      const item: ImportItem = {
        ref: card.id,
        kind: "gift_card",
        currency_code: currency,
        balance: amountOf(card, "value").toFixed(),
        input: {
          name: "Gift card",
          currency_code: currency,
          type_id: typeId(TYPE_CODES.giftCards),
          code: card.code,
          end_date: card.expires_at ?? null,
          source_account_id: "@bank",
          metadata: meta({
            imported_from: LOYALTY_PACKAGE,
            loyalty_gift_card_id: card.id,
            loyalty_store_credit_account_id: accountId,
            loyalty_status: card.status,
            order_id: card.reference === "order" ? card.reference_id : null,
            line_item_id: card.line_item_id,
            note: card.note,
          }),
          idempotency_key: `import:loyalty:${card.id}`,
        },
      }
      claimCode(item, card.code)
      if (accountId) {
        backing.set(accountId, item)
      } else {
        unloaded++
      }
      items.push(item)
    }
  }

  // 2. store-credit accounts: balances of the gift cards' accounts, and the customers' and anonymous ones
  //    (listAndCount: the plugin's own list computes each account's stats with two queries per account)
  for await (const accounts of pages(
    async (f, c) => (await storeCredit.listAndCountStoreCreditAccounts(f, c))[0],
    ["id", "code", "currency_code", "customer_id"]
  )) {
    const balances = await balancesOf(
      storeCredit,
      accounts.map((a: any) => a.id)
    )
    for (const account of accounts) {
      const balance = balances.get(account.id) ?? new Decimal(0)
      const card = backing.get(account.id)
      if (card) {
        card.balance = balance.toFixed()
        continue
      }
      const currency = String(account.currency_code ?? "").toLowerCase()
      const item: ImportItem = {
        ref: account.id,
        kind: "store_credit",
        currency_code: currency,
        balance: balance.toFixed(),
        input: {
          name: "Store credit",
          currency_code: currency,
          type_id: typeId(TYPE_CODES.storeCredit),
          customer_id: account.customer_id ?? null,
          source_account_id: "@unpaid_source",
          metadata: meta({
            imported_from: LOYALTY_PACKAGE,
            loyalty_store_credit_account_id: account.id,
            loyalty_code: account.customer_id ? account.code : null,
          }),
          idempotency_key: `import:loyalty:${account.id}`,
        },
      }
      if (!account.customer_id) {
        // an anonymous account: reachable by its code only
        if (account.code) {
          item.input.code = account.code
          claimCode(item, account.code)
        } else {
          item.input.generate_code = true
        }
      }
      items.push(item)
    }
  }

  // 3. opening loads: the balance, from the source of the money
  for (const item of items) {
    const balance = new Decimal(item.balance)
    if (balance.isNegative()) {
      item.error ??= { code: "negative_balance", message: `The loyalty plugin holds ${item.balance} on ${item.ref}: a negative balance is not imported` }
    } else if (!balance.isZero()) {
      item.input.initial_amount = item.balance
    }
  }
  const notes: string[] = []
  if (unloaded) {
    notes.push(
      `${unloaded} gift card(s) have no store-credit account in the loyalty plugin (status pending: their value was never loaded); they are imported with their value`
    )
  }
  return { items, notes }
}
