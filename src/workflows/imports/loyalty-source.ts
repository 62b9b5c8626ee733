import Decimal from "decimal.js"
import { normalizeCode } from "../../modules/ledger/codes"
import { TYPE_CODES, typeId } from "../../modules/ledger/core"
import { ImportError, ImportItem } from "./types"

/**
 * Reads `@medusajs/loyalty-plugin`'s gift cards and store-credit accounts through its own
 * module services (registered as `loyalty` and `store_credit`), in pages, and
 * maps them onto ledger account creations.
 *
 * The plugin's model: a gift card (`code`, `value`, `currency_code`, `expires_at`) is
 * backed by an anonymous store-credit account that the card's value was credited to;
 * redeeming and claiming debit that account. An account's balance is the sum of its credit transactions
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
const PAGE = 10000

type LoyaltyServices = { loyalty: any; storeCredit: any }

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
  return { loyalty, storeCredit }
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

function meta(obj: Record<string, unknown>) {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== null && v !== undefined && v !== ""))
}

async function all<T>(source: AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = []
  for await (const page of source) for (const row of page) out.push(row)
  return out
}

/** balance of each of `accountIds` (credits less debits), and the first card credited to each */
async function transactionsOf(storeCredit: any, accountIds: string[]) {
  const balances = new Map<string, Decimal>()
  const cardOf = new Map<string, string>() // account id → reference_id of its first "gift_card" credit
  for (let n = 0; n < accountIds.length; n += 5000) {
    for await (const rows of pages(
      (f, c) => storeCredit.listAccountTransactions(f, c),
      ["id", "account_id", "raw_amount", "type", "reference", "reference_id"],
      { account_id: accountIds.slice(n, n + 5000) }
    )) {
      for (const t of rows) {
        const amount = amountOf(t, "amount")
        const current = balances.get(t.account_id) ?? new Decimal(0)
        balances.set(t.account_id, t.type === "debit" ? current.minus(amount) : current.plus(amount))
        if (t.type === "credit" && t.reference === "gift_card" && t.reference_id && !cardOf.has(t.account_id)) {
          cardOf.set(t.account_id, t.reference_id)
        }
      }
    }
  }
  return { balances, cardOf }
}

/** The opening load of a mapped record: its balance; a negative one is refused. */
function withLoad(item: ImportItem): ImportItem {
  const balance = new Decimal(item.balance)
  if (balance.isNegative()) {
    item.error ??= { code: "negative_balance", message: `The loyalty plugin holds ${item.balance} on ${item.ref}: a negative balance is not imported` }
  } else if (!balance.isZero()) {
    item.input.initial_amount = item.balance
  }
  return item
}

/**
 * The plugin's records mapped onto account creations, in groups as they are read, so the
 * ledger opens one group while the next is read: all gift cards first (to know which
 * store-credit accounts back them), then the store-credit accounts a page at a time with
 * their transactions, each page yielding its customers' and anonymous accounts and the gift
 * cards it backs; at the end the gift cards no account backs. `notes` is filled at the end.
 */
export async function* loyaltyItemGroups(container: any, notes: string[]): AsyncGenerator<ImportItem[]> {
  const { loyalty, storeCredit } = resolveLoyalty(container)
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

  // 1. gift cards, by id and by code (redeemGiftCardWorkflow credits with the code)
  const cards = new Map<string, ImportItem>()
  const byCode = new Map<string, ImportItem>()
  for await (const page of pages(
    (f, c) => loyalty.listGiftCards(f, c),
    ["id", "code", "status", "raw_value", "currency_code", "expires_at", "reference", "reference_id", "line_item_id", "note"]
  )) {
    for (const card of page) {
      const currency = String(card.currency_code ?? "").toLowerCase()
      const item: ImportItem = {
        ref: card.id,
        kind: "gift_card",
        currency_code: currency,
        // its value until its backing account says what is left
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
            loyalty_status: card.status,
            order_id: card.reference === "order" ? card.reference_id : null,
            line_item_id: card.line_item_id,
            note: card.note,
          }),
          idempotency_key: `import:loyalty:${card.id}`,
        },
      }
      claimCode(item, card.code)
      cards.set(card.id, item)
      if (card.code && !byCode.has(card.code)) byCode.set(card.code, item)
    }
  }

  // 2. store-credit accounts, a page at a time (listAndCount: the plugin's own list computes
  //    each account's stats with two queries per account). A card's backing account is the one
  //    its value was credited to: reference "gift_card", the card's id (createGiftCardsWorkflow)
  //    or code (redeemGiftCardWorkflow) as reference_id. (The plugin's gift_card ↔
  //    store_credit_account link says the same, but it is only defined while the whole plugin
  //    is loaded, which its workflow hooks do not allow next to this one: README "Importing
  //    balances".)
  const backed = new Set<ImportItem>()
  for await (const accounts of pages(
    async (f, c) => (await storeCredit.listAndCountStoreCreditAccounts(f, c))[0],
    ["id", "code", "currency_code", "customer_id"]
  )) {
    const { balances, cardOf } = await transactionsOf(
      storeCredit,
      accounts.map((a: any) => a.id)
    )
    const group: ImportItem[] = []
    for (const account of accounts) {
      const balance = balances.get(account.id) ?? new Decimal(0)
      const ref = cardOf.get(account.id)
      const card = ref ? cards.get(ref) ?? byCode.get(ref) : undefined
      if (card && !backed.has(card)) {
        backed.add(card)
        card.balance = balance.toFixed()
        ;(card.input.metadata as Record<string, unknown>).loyalty_store_credit_account_id = account.id
        group.push(withLoad(card))
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
      group.push(withLoad(item))
    }
    if (group.length) yield group
  }

  // 3. gift cards no account backs (status pending: their value was never loaded): their value
  const unloaded = [...cards.values()].filter((c) => !backed.has(c))
  if (unloaded.length) {
    notes.push(
      `${unloaded.length} gift card(s) have no store-credit account in the loyalty plugin (status pending: their value was never loaded); they are imported with their value`
    )
    yield unloaded.map(withLoad)
  }
}
