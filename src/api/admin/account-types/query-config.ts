export const listAdminAccountTypesQueryConfig = {
  defaults: ["id", "code", "name", "path", "parent_id", "metadata", "created_at"],
  isList: true,
  defaultLimit: 100,
}
