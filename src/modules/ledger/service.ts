import { LedgerLots } from "./services/lots"

export { CHECK_RUNS_KEPT, EXPIRED_ACCOUNTS_SQL, EXPIRED_HOLDS_SQL } from "./services/base"
export type { LedgerCheckRunRecord, LedgerOperationRecord } from "./services/base"

/**
 * The ledger's whole money surface. Reads of accounts, transfers, entries and holds also
 * come from the generated `listLedger*`/`retrieveLedger*` methods (and so from Query);
 * every write goes through the methods of the layers in ./services (base → accounts →
 * postings → expiry → holds → store credit → operations → checks → admin reads → batches → lots), which
 * post through the database functions installed by the migrations. The generated
 * create/update/delete methods of the money models refuse to run.
 */
export default class LedgerModuleService extends LedgerLots {}
