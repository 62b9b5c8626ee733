import type { AccountType } from "./types"

export const GIFT_CARD_TYPE_CODE = "liabilities.deferred_income.gift_cards"
export const DEFERRED_INCOME_CODE = "liabilities.deferred_income"

/** The chart of account types in tree order with each type's depth, for selects and the tree view. */
export function typeTree(types: AccountType[]): (AccountType & { depth: number })[] {
  const children = new Map<string | null, AccountType[]>()
  for (const t of types) {
    const key = t.parent_id ?? null
    children.set(key, [...(children.get(key) ?? []), t])
  }
  const out: (AccountType & { depth: number })[] = []
  const walk = (parent: string | null, depth: number) => {
    for (const t of (children.get(parent) ?? []).sort((a, b) => a.name.localeCompare(b.name))) {
      out.push({ ...t, depth })
      walk(t.id, depth + 1)
    }
  }
  walk(null, 0)
  return out
}

/** Types a merchant opens accounts under: the customer-facing ones, below Deferred income. */
export function customerFacingTypes(types: AccountType[]) {
  return typeTree(types).filter((t) => t.code.startsWith(`${DEFERRED_INCOME_CODE}.`))
}

export function isGiftCardType(types: AccountType[] | undefined, typeId: string | null | undefined) {
  const t = types?.find((x) => x.id === typeId)
  return !!t && t.code.startsWith(GIFT_CARD_TYPE_CODE)
}
