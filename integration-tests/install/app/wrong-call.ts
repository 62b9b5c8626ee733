import type { LedgerModuleService } from "medusa-accounts/modules/ledger"

// Copied into the app for the type-check only: with real declarations this line fails
// (topUp takes an account id and an amount, not an object); with `any` it would pass.
export async function wrongOnPurpose(ledger: LedgerModuleService) {
  await ledger.topUp({ account_id: "acc_1", amount: 10 }) // WRONG-ON-PURPOSE
}
