/**
 * The ledger's sixth schema version (migration Migration20261126140000): batches read rows
 * by key, whatever the tables looked like when their plans were made.
 *
 * 1. A batch locks its accounts without reading transfers for items that have no parent.
 *    ledger_lock_many looked up each item's parent transfer in a LEFT JOIN LATERAL whose
 *    condition (`ON i.p IS NOT NULL`) PostgreSQL checks after running the look-up, so
 *    every item, parent or not, probed ledger_transfer. The batch functions keep generic
 *    plans (v4): planned while the table was small, that probe stays a scan of the whole
 *    table until the next ANALYZE. Issuing gift cards 1,000 at a time on one connection,
 *    each batch took longer than the one before (0.19 s, 0.83 s, ... 2.4 s by the sixth).
 *    Items without a parent now skip the look-up altogether.
 *
 * 2. No sequential scans in a batch. The same generic plans, made while a table is small
 *    (a new store, or a bloated much-updated one: the shard rows), join by scanning the
 *    whole table, and keep doing so as it grows: 100,000 gift cards issued on a new
 *    database took 183 s, the 100th batch of 1,000 twelve times as long as the first.
 *    Every statement of the batch functions and of what they call can find its rows by
 *    key; with sequential scans off for the length of the call, none scans a table (joins
 *    between the items themselves, which are arrays, still hash). A plan made on a tiny
 *    table may still read a whole index, until autovacuum's next ANALYZE replans it; in
 *    practice the batches stay flat: 31.7 s, first batch to last. A later CREATE OR REPLACE of
 *    either function drops its SET clauses: re-apply KEY_LOOKUPS (batch-plans.spec fails
 *    otherwise).
 */
import * as v4 from "./v4"
import { replaceOnce } from "./edit"

export const LOCK_MANY = [
  [
    `  ), sides AS (
    SELECT coalesce(t.destination_id, i.s) AS s,`,
    `  ), sides AS (
    SELECT i.s, i.d, i.c FROM items i WHERE i.p IS NULL
    UNION ALL
    SELECT coalesce(t.destination_id, i.s) AS s,`,
  ],
  [
    `      ) t ON i.p IS NOT NULL
`,
    `      ) t ON true
     WHERE i.p IS NOT NULL
`,
  ],
].reduce((sql, [from, to]) => replaceOnce(sql, from, to), v4.LOCK_MANY)

export const KEY_LOOKUPS = `
ALTER FUNCTION ledger_post_many(jsonb, boolean) SET enable_seqscan = off;
ALTER FUNCTION ledger_create_many(jsonb, boolean) SET enable_seqscan = off;
`

export const DOWN = `
ALTER FUNCTION ledger_post_many(jsonb, boolean) RESET enable_seqscan;
ALTER FUNCTION ledger_create_many(jsonb, boolean) RESET enable_seqscan;
${v4.LOCK_MANY}
`
