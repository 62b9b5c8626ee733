// What a shopper may see of an account: no owner or member ids, no metadata, no
// idempotency keys. `allowed` also bounds `fields` and `order`.
export const storeAccountFields = [
  "id",
  "name",
  "description",
  "code",
  "status",
  "currency_code",
  "credit_limit",
  "balance",
  "held",
  "start_date",
  "end_date",
  "closed_at",
  "product_ids",
  "can_pay_shipping",
  "created_at",
  "updated_at",
  "type.name",
]

const allowed = [...storeAccountFields, "type"]

export const listStoreAccountsQueryConfig = {
  defaults: storeAccountFields,
  allowed,
  isList: true,
  defaultLimit: 20,
}

export const retrieveStoreAccountQueryConfig = {
  defaults: storeAccountFields,
  allowed,
  isList: false,
}
