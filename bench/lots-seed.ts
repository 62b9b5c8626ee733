/**
 * Seeds wallets that keep lots, in set-based SQL, for the lots part of the bench
 * (bench/lots.js): `accounts` wallets of 100.00 in usd, each loaded once from the unpaid
 * source and holding `lotsPerAccount` equal lots (opened a day ago); the first half of each
 * wallet's lots expired over the last hours, the rest expire in the coming days. Consistent
 * with every check of verify(). Expects a migrated ledger whose usd core accounts exist.
 */
import { Client } from "pg"
import { TYPE_CODES, typeId } from "../src/modules/ledger/core"

export async function seedLotWallets(url: string, { accounts, lotsPerAccount }: { accounts: number; lotsPerAccount: number }) {
  const pg = new Client({ connectionString: url })
  await pg.connect()
  try {
    const lot = (100 / lotsPerAccount).toFixed(2)
    const total = (Number(lot) * lotsPerAccount).toFixed(2)
    const sql = async (text: string, values: unknown[] = []) => pg.query(text, values)
    await sql("BEGIN")
    await sql(
      `INSERT INTO ledger_account (id, name, currency_code, type_id, status, balance, raw_balance, held, raw_held,
         can_pay_shipping, lots_since, created_at, updated_at)
       SELECT 'acc_lots_' || lpad(i::text, 8, '0'), 'Points ' || i, 'usd', $2, 'open', $3::numeric, ledger_raw($3::numeric), 0, ledger_raw(0),
              true, now() - interval '1 day', now() - interval '2 days', now() - interval '2 days'
         FROM generate_series(1, $1::int) i`,
      [accounts, typeId(TYPE_CODES.storeCredit), total]
    )
    await sql(
      `INSERT INTO ledger_transfer (id, reference, kind, source_id, destination_id, amount, raw_amount, currency_code,
         description, actor_type, created_at, updated_at)
       SELECT 'ltr_lots_' || lpad(i::text, 8, '0'), 'LOTS' || lpad(i::text, 12, '0'), 'load', 'acc_sys_usd_unpaid_source',
              'acc_lots_' || lpad(i::text, 8, '0'), $2::numeric, ledger_raw($2::numeric), 'usd', 'Points', 'system',
              now() - interval '2 days', now() - interval '2 days'
         FROM generate_series(1, $1::int) i`,
      [accounts, total]
    )
    await sql(
      `INSERT INTO ledger_entry (id, transfer_id, account_id, amount, raw_amount, balance_after, raw_balance_after, created_at, updated_at)
       SELECT 'lent_lots_d' || lpad(i::text, 8, '0'), 'ltr_lots_' || lpad(i::text, 8, '0'), 'acc_lots_' || lpad(i::text, 8, '0'),
              $2::numeric, ledger_raw($2::numeric), $2::numeric, ledger_raw($2::numeric), now() - interval '2 days', now() - interval '2 days'
         FROM generate_series(1, $1::int) i
       UNION ALL
       SELECT 'lent_lots_s' || lpad(i::text, 8, '0'), 'ltr_lots_' || lpad(i::text, 8, '0'), 'acc_sys_usd_unpaid_source',
              -$2::numeric, ledger_raw(-$2::numeric), NULL, NULL, now() - interval '2 days', now() - interval '2 days'
         FROM generate_series(1, $1::int) i`,
      [accounts, total]
    )
    await sql(
      `UPDATE ledger_account SET balance = balance - $1::numeric, raw_balance = ledger_raw(balance - $1::numeric)
        WHERE id = 'acc_sys_usd_unpaid_source'`,
      [(Number(total) * accounts).toFixed(2)]
    )
    await sql(
      `INSERT INTO ledger_lot (id, account_id, transfer_id, amount, remaining, reserved, expires_at, created_at, updated_at)
       SELECT 'llot_' || lpad(i::text, 8, '0') || '_' || k, 'acc_lots_' || lpad(i::text, 8, '0'), 'ltr_lots_' || lpad(i::text, 8, '0'),
              $3::numeric, $3::numeric, 0,
              CASE WHEN k <= $2::int / 2 THEN now() - (($2::int / 2 - k + 1) * interval '1 hour')
                   ELSE now() + (k * interval '1 day') END,
              now() - interval '1 day', now() - interval '1 day'
         FROM generate_series(1, $1::int) i, generate_series(1, $2::int) k
        ORDER BY i, k`,
      [accounts, lotsPerAccount, lot]
    )
    await sql(
      `INSERT INTO ledger_lot_move (lot_id, account_id, kind, amount, transfer_id, created_at)
       SELECT id, account_id, 'credit', amount, transfer_id, now() - interval '1 day' FROM ledger_lot
        WHERE account_id LIKE 'acc_lots_%' ORDER BY seq`
    )
    await sql("COMMIT")
    await sql("VACUUM ANALYZE ledger_lot")
    await sql("VACUUM ANALYZE ledger_lot_move")
    await sql("VACUUM ANALYZE ledger_account")
    return { accounts, lots: accounts * lotsPerAccount, expired: accounts * Math.floor(lotsPerAccount / 2) }
  } catch (e) {
    await pg.query("ROLLBACK").catch(() => {})
    throw e
  } finally {
    await pg.end()
  }
}
