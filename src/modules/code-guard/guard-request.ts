import { RequestLike as AddressSource, clientAddressOf } from "./client-address"
import type CodeGuardModuleService from "./service"

export const CODE_GUARD_MODULE = "code_guard"

type RequestLike = AddressSource & {
  scope: { resolve: <T>(key: string) => T }
  auth_context?: { actor_type?: string; actor_id?: string } | null
}

/** What else a guessed code is aimed at, when the route knows it. */
export type GuardTarget = { cart_id?: string | null; payment_collection_id?: string | null }

/**
 * The keys a request's failures count under: its address, the logged-in customer (so
 * switching addresses does not help) and the cart (so spreading guesses over many
 * addresses does not either).
 */
export function guardKeysOf(req: Omit<RequestLike, "scope">, trustedProxies: number, target: GuardTarget = {}): string[] {
  const keys = [clientAddressOf(req, trustedProxies)]
  const actor = req.auth_context
  if (actor?.actor_type === "customer" && actor.actor_id) {
    keys.push(`customer:${actor.actor_id}`)
  }
  if (target.cart_id) {
    keys.push(`cart:${target.cart_id}`)
  } else if (target.payment_collection_id) {
    keys.push(`payment_collection:${target.payment_collection_id}`)
  }
  return keys
}

/**
 * Runs a lookup by gift-card code for an HTTP request under the code guard: for every
 * route that accepts a code from shoppers.
 */
export function guardCodeLookup<T>(req: RequestLike, lookup: () => Promise<T>, target: GuardTarget = {}): Promise<T> {
  const guard = req.scope.resolve<CodeGuardModuleService>(CODE_GUARD_MODULE)
  return guard.guard(guardKeysOf(req, guard.guardOptions.trustedProxies, target), lookup)
}
