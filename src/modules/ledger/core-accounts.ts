import { CORE_ACCOUNTS, CORE_ROLES, CoreRole, DEFAULT_TYPES, coreAccountId, typeId } from "./core"
import { normalizeCurrency } from "./money"

type Exec = (sql: string, params?: unknown[]) => Promise<unknown[]>

/**
 * Inserts the default type tree and, per currency, the core accounts and their balance
 * shards. Idempotent (deterministic ids, ON CONFLICT DO NOTHING), so every server may run
 * it at start-up; currencies already complete cost one read.
 */
export async function ensureCoreAccounts(
  exec: Exec,
  currencies: string[],
  names: Record<CoreRole, string>
) {
  const wanted = [...new Set(currencies.map(normalizeCurrency))]
  // Usually all there: one read instead of rewriting 10 types, 5 accounts and their shards.
  // (deleted_at IS NULL: the (role, currency_code) index is partial; without it this read
  // scanned every account, and every batch of new accounts makes it.)
  const complete = new Set(
    ((await exec(
      `SELECT a.currency_code FROM ledger_account a
        WHERE a.role IS NOT NULL AND a.deleted_at IS NULL AND a.currency_code IN (${["'-'", ...wanted.map(() => "?")].join(", ")})
          AND (SELECT count(*) FROM ledger_balance_shard x WHERE x.account_id = a.id) > 0
        GROUP BY a.currency_code HAVING count(*) = ${CORE_ROLES.length}`,
      wanted
    )) as { currency_code: string }[]).map((r) => r.currency_code)
  )
  const currencyList = wanted.filter((c) => !complete.has(c))
  if (wanted.length && !currencyList.length) {
    return
  }
  const byCode = new Map(DEFAULT_TYPES.map((t) => [t.code, t]))
  const pathOf = (code: string): string => {
    const t = byCode.get(code)!
    return t.parent ? `${pathOf(t.parent)} / ${t.name}` : t.name
  }
  const typeRows: unknown[] = []
  for (const t of DEFAULT_TYPES) {
    typeRows.push(typeId(t.code), t.code, t.name, pathOf(t.code), t.parent ? typeId(t.parent) : null)
  }
  await exec(
    `INSERT INTO ledger_account_type (id, code, name, path, parent_id)
     VALUES ${DEFAULT_TYPES.map(() => "(?, ?, ?, ?, ?)").join(", ")}
     ON CONFLICT (id) DO NOTHING`,
    typeRows
  )
  if (!currencyList.length) {
    return
  }
  const rows: unknown[] = []
  const values: string[] = []
  for (const currency of currencyList) {
    for (const role of CORE_ROLES) {
      const { type, creditLimit } = CORE_ACCOUNTS[role]
      values.push(
        `(?, ?, ?, ?, ?::numeric, CASE WHEN ?::numeric IS NULL THEN NULL ELSE ledger_raw(?::numeric) END, ?, ?)`
      )
      rows.push(
        coreAccountId(role, currency),
        names[role],
        `Core account: ${role.replace(/_/g, " ")} (${currency.toUpperCase()})`,
        currency,
        creditLimit,
        creditLimit,
        creditLimit,
        role,
        typeId(type)
      )
    }
  }
  await exec(
    `INSERT INTO ledger_account (id, name, description, currency_code, credit_limit, raw_credit_limit, role, type_id)
     VALUES ${values.join(", ")}
     ON CONFLICT (id) DO NOTHING`,
    rows
  )
  // Their balance shards (see ledger_apply in the migration), also idempotent.
  await exec(
    `SELECT ledger_ensure_shards(id) FROM ledger_account
      WHERE role IS NOT NULL AND currency_code IN (${currencyList.map(() => "?").join(", ")})`,
    currencyList
  )
}
