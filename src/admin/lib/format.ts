/** Money and dates as the admin shows them: the account's currency, the browser's locale. */
const formatters = new Map<string, Intl.NumberFormat>()

function formatter(currency: string) {
  const key = currency.toUpperCase()
  let f = formatters.get(key)
  if (!f) {
    try {
      f = new Intl.NumberFormat(undefined, { style: "currency", currency: key })
    } catch {
      f = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2 })
    }
    formatters.set(key, f)
  }
  return f
}

/**
 * Amounts arrive as exact decimal strings. Intl takes the string form directly in
 * modern browsers (no float rounding on large values); Number is the fallback.
 */
export function formatMoney(amount: string | number | null | undefined, currency: string | undefined) {
  if (amount === null || amount === undefined || amount === "") return "—"
  if (!currency) return String(amount)
  const f = formatter(currency) as Intl.NumberFormat & { format(v: string | number): string }
  try {
    return f.format(amount as any)
  } catch {
    return f.format(Number(amount))
  }
}

export function formatDate(value: string | Date | null | undefined, withTime = false) {
  if (!value) return "—"
  const d = new Date(value)
  return withTime
    ? d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" })
    : d.toLocaleDateString(undefined, { dateStyle: "medium" })
}

/** Gift-card codes are bearer secrets: lists show only the last four characters. */
export function maskCode(code: string | null | undefined) {
  if (!code) return "—"
  const plain = code.replace(/-/g, "")
  return `•••• ${plain.slice(-4)}`
}

export function isNegative(amount: string | null | undefined) {
  return typeof amount === "string" && amount.startsWith("-")
}

/** "1 order", "3 orders": a count with its noun (English plurals by -s). */
export const countOf = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`

/** The end of a day picked in a date input (local time), as the API takes a moment. */
export function endOfDay(day: string): string {
  return new Date(`${day}T23:59:59.999`).toISOString()
}
