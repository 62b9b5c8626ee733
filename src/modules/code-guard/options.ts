export type CodeGuardOptions = {
  /** Failures in a row after which a client cools off. Default 3. */
  maxConsecutiveFailures?: number
  /** How long a cool-off lasts. Default 900 (15 minutes). */
  coolOffSeconds?: number
  /** Failures in all after which a client is blocked. Default 10. */
  maxFailures?: number
  /** How long a block lasts; null (default) = until an admin clears the client. */
  blockSeconds?: number | null
  /**
   * How many reverse proxies (load balancer, CDN) in front of Medusa append to
   * `X-Forwarded-For`. Default 0: the client is the socket's peer and the header is ignored.
   */
  trustedProxies?: number
}

/** The module gets the plugin's whole options object; its own part is `codeGuard`. */
export type CodeGuardModuleOptions = { codeGuard?: CodeGuardOptions }

export type ResolvedCodeGuardOptions = Required<CodeGuardOptions>

function positive(name: string, value: unknown, integer: boolean): number {
  const ok = typeof value === "number" && Number.isFinite(value) && value > 0 && (!integer || Number.isInteger(value))
  if (!ok) {
    throw new Error(`code_guard: option codeGuard.${name} must be a positive ${integer ? "integer" : "number"}, got ${String(value)}`)
  }
  return value as number
}

function nonNegativeInteger(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new Error(`code_guard: option codeGuard.${name} must be a non-negative integer, got ${String(value)}`)
  }
  return value
}

export function resolveCodeGuardOptions(options: CodeGuardModuleOptions = {}): ResolvedCodeGuardOptions {
  const o = options.codeGuard ?? {}
  return {
    maxConsecutiveFailures: positive("maxConsecutiveFailures", o.maxConsecutiveFailures ?? 3, true),
    coolOffSeconds: positive("coolOffSeconds", o.coolOffSeconds ?? 900, false),
    maxFailures: positive("maxFailures", o.maxFailures ?? 10, true),
    blockSeconds: o.blockSeconds === undefined || o.blockSeconds === null ? null : positive("blockSeconds", o.blockSeconds, false),
    trustedProxies: nonNegativeInteger("trustedProxies", o.trustedProxies ?? 0),
  }
}
