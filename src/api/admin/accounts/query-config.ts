export const defaultAdminAccountFields = [
  "id",
  "name",
  "description",
  "code",
  "status",
  "currency_code",
  "type_id",
  "credit_limit",
  "balance",
  "held",
  "start_date",
  "end_date",
  "closed_at",
  "customer_id",
  "product_ids",
  "can_pay_shipping",
  "role",
  "idempotency_key",
  "metadata",
  "created_at",
  "updated_at",
]

export const listAdminAccountsQueryConfig = {
  defaults: [...defaultAdminAccountFields, "type.id", "type.name", "type.code"],
  isList: true,
  defaultLimit: 20,
}

export const retrieveAdminAccountQueryConfig = {
  defaults: [...defaultAdminAccountFields, "type.id", "type.name", "type.code", "type.path", "members.customer_id"],
  isList: false,
}
