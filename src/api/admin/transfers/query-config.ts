export const defaultAdminTransferFields = [
  "id",
  "reference",
  "kind",
  "source_id",
  "destination_id",
  "amount",
  "currency_code",
  "parent_id",
  "hold_id",
  "merchant_reference",
  "description",
  "actor_type",
  "actor_id",
  "idempotency_key",
  "metadata",
  "created_at",
]

export const listAdminTransfersQueryConfig = {
  defaults: defaultAdminTransferFields,
  isList: true,
  defaultLimit: 20,
}

export const retrieveAdminTransferQueryConfig = {
  defaults: [...defaultAdminTransferFields, "entries.id", "entries.account_id", "entries.amount", "entries.balance_after"],
  isList: false,
}
