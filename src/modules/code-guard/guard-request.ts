import { RequestLike as AddressSource, clientAddressOf } from "./client-address"
import type CodeGuardModuleService from "./service"

export const CODE_GUARD_MODULE = "code_guard"

type RequestLike = AddressSource & { scope: { resolve: <T>(key: string) => T } }

/**
 * Runs a lookup by gift-card code for an HTTP request under the code guard, keyed by the
 * client's address (see clientAddressOf): for every route that accepts a code from shoppers.
 */
export function guardCodeLookup<T>(req: RequestLike, lookup: () => Promise<T>): Promise<T> {
  const guard = req.scope.resolve<CodeGuardModuleService>(CODE_GUARD_MODULE)
  return guard.guard(clientAddressOf(req, guard.guardOptions.trustedProxies), lookup)
}
