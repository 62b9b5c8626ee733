/**
 * The ledger's sixth schema version (migration Migration20261126140000): a batch locks its
 * accounts without reading transfers for items that have no parent.
 *
 * ledger_lock_many looked up each item's parent transfer in a LEFT JOIN LATERAL whose
 * condition (`ON i.p IS NOT NULL`) PostgreSQL checks after running the look-up, so every
 * item, parent or not, probed ledger_transfer. The batch functions keep generic plans
 * (v4): planned while the table was small, that probe stays a scan of the whole table
 * until the next ANALYZE. Issuing gift cards 1,000 at a time on one connection, each
 * batch then took longer than the one before (measured: 0.19 s, 0.83 s, ... 2.4 s by the
 * sixth). Items without a parent now skip the look-up altogether.
 */
import * as v4 from "./v4"
import { replaceOnce } from "./edit"

export const LOCK_MANY = replaceOnce(
  v4.LOCK_MANY,
  `    SELECT coalesce(t.destination_id, i.s) AS s, coalesce(t.source_id, i.d) AS d, i.c
      FROM items i
      LEFT JOIN LATERAL (
        SELECT x.source_id, x.destination_id FROM ledger_transfer x WHERE x.id = i.p AND x.deleted_at IS NULL
        UNION ALL
        SELECT x.source_id, x.destination_id FROM ledger_transfer x WHERE x.reference = i.p AND x.deleted_at IS NULL
        LIMIT 1
      ) t ON i.p IS NOT NULL
`,
  `    SELECT i.s, i.d, i.c FROM items i WHERE i.p IS NULL
    UNION ALL
    SELECT coalesce(t.destination_id, i.s), coalesce(t.source_id, i.d), i.c
      FROM items i
      LEFT JOIN LATERAL (
        SELECT x.source_id, x.destination_id FROM ledger_transfer x WHERE x.id = i.p AND x.deleted_at IS NULL
        UNION ALL
        SELECT x.source_id, x.destination_id FROM ledger_transfer x WHERE x.reference = i.p AND x.deleted_at IS NULL
        LIMIT 1
      ) t ON true
     WHERE i.p IS NOT NULL
`
)

export const DOWN = v4.LOCK_MANY
