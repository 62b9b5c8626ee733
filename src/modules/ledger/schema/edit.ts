/** Edits of an earlier version's SQL, each checked to apply where it is meant to. */

export function replaceOnce(sql: string, from: string, to: string) {
  const at = sql.indexOf(from)
  if (at < 0 || sql.indexOf(from, at + 1) >= 0) {
    throw new Error(`ledger schema: expected exactly one ${JSON.stringify(from.slice(0, 60))}`)
  }
  return sql.slice(0, at) + to + sql.slice(at + from.length)
}

// Where a batch body repeats an item's statement (its atomic and independent loops).
export function replaceEvery(sql: string, from: string, to: string) {
  if (!sql.includes(from)) {
    throw new Error(`ledger schema: expected ${JSON.stringify(from.slice(0, 60))}`)
  }
  return sql.split(from).join(to)
}
