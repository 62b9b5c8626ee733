import type { MedusaContainer } from "@medusajs/framework/types"
import { Modules } from "@medusajs/framework/utils"
import { createApiKeysWorkflow, createUsersWorkflow } from "@medusajs/medusa/core-flows"

/**
 * Creates an admin user with an emailpass identity and logs in through the real
 * /auth route; also issues a secret API key. Returns ready-to-use request headers.
 */
export async function createAdminAuth(container: MedusaContainer, api: any, email = "admin@ledger.test") {
  const password = "ledger-test-password"
  const {
    result: [user],
  } = await createUsersWorkflow(container).run({ input: { users: [{ email }] } })
  const auth = container.resolve(Modules.AUTH)
  const { authIdentity } = await auth.register("emailpass", { body: { email, password } } as any)
  await auth.updateAuthIdentities({ id: authIdentity!.id, app_metadata: { user_id: user.id } })
  const { data } = await api.post("/auth/user/emailpass", { email, password })
  const {
    result: [secret],
  } = await createApiKeysWorkflow(container).run({
    input: { api_keys: [{ title: "ledger test", type: "secret", created_by: user.id }] },
  })
  return {
    user,
    headers: { authorization: `Bearer ${data.token}` },
    apiKeyHeaders: { authorization: `Basic ${Buffer.from(`${secret.token}:`).toString("base64")}` },
  }
}
