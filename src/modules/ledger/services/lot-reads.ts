import { Context } from "@medusajs/framework/types"
import { formatAmount } from "../money"
import { runSql } from "../sql"
import type { LedgerLotDTO, LotUseDTO } from "../types"

export const LOT_SELECT = `SELECT l.*, a.currency_code, t.reference AS transfer_reference,
    CASE WHEN l.remaining = 0 THEN 'used' WHEN l.expires_at <= clock_timestamp() THEN 'expired' ELSE 'active' END AS status
  FROM ledger_lot l JOIN ledger_account a ON a.id = l.account_id LEFT JOIN ledger_transfer t ON t.id = l.transfer_id`

export function toLotDTO(row: any): LedgerLotDTO {
  const cur = row.currency_code
  return {
    id: row.id,
    account_id: row.account_id,
    currency_code: cur,
    amount: formatAmount(row.amount, cur),
    remaining: formatAmount(row.remaining, cur),
    reserved: formatAmount(row.reserved, cur),
    expires_at: row.expires_at ?? null,
    status: row.status,
    transfer_id: row.transfer_id ?? null,
    transfer_reference: row.transfer_reference ?? null,
    created_at: row.created_at,
  }
}

/** What each of these transfers moved in or out of the account's lots, by transfer id. */
export async function lotUses(ctx: Context, accountId: string, currency: string, transferIds: string[]) {
  const rows = await runSql(
    ctx,
    `SELECT m.transfer_id, m.lot_id, m.kind, m.amount::text AS amount, l.expires_at
       FROM ledger_lot_move m JOIN ledger_lot l ON l.id = m.lot_id
      WHERE m.transfer_id IN (SELECT jsonb_array_elements_text(?::jsonb)) AND m.account_id = ?
      ORDER BY m.id`,
    [JSON.stringify(transferIds), accountId]
  )
  const uses = new Map<string, LotUseDTO[]>()
  for (const r of rows) {
    const list = uses.get(r.transfer_id) ?? []
    list.push({ lot_id: r.lot_id, kind: r.kind, amount: formatAmount(r.amount, currency), expires_at: r.expires_at ?? null })
    uses.set(r.transfer_id, list)
  }
  return uses
}
