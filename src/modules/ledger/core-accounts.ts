import { CORE_ACCOUNTS, CORE_ROLES, CoreRole, DEFAULT_TYPES, coreAccountId, typeId } from "./core"
import { normalizeCurrency } from "./money"

type Exec = (sql: string, params?: unknown[]) => Promise<unknown[]>

/**
 * Inserts the default type tree and, per currency, the core accounts. Idempotent
 * (deterministic ids, ON CONFLICT DO NOTHING), so every server may run it at start-up.
 */
export async function ensureCoreAccounts(
  exec: Exec,
  currencies: string[],
  names: Record<CoreRole, string>
) {
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
  const currencyList = [...new Set(currencies.map(normalizeCurrency))]
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
