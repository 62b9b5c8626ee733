import { clientAddressOf } from "./client-address"
import type CodeGuardModuleService from "./service"

export const CODE_GUARD_MODULE = "code_guard"

type RequestLike = Parameters<typeof clientAddressOf>[0] & { scope: { resolve: <T>(key: string) => T } }

/**
 * Runs a lookup by gift-card code for an HTTP request under the code guard, keyed by the
 * client's address: for every route that accepts a code from shoppers.
 */
export function guardCodeLookup<T>(req: RequestLike, lookup: () => Promise<T>): Promise<T> {
  const guard = req.scope.resolve<CodeGuardModuleService>(CODE_GUARD_MODULE)
  return guard.guard(clientAddressOf(req), lookup)
}
