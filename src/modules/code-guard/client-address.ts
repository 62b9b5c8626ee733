import { isIP, isIPv6 } from "net"

export type RequestLike = {
  headers?: Record<string, string | string[] | undefined>
  socket?: { remoteAddress?: string }
}

/**
 * The address the code guard counts a request's failures under. With no trusted proxies,
 * the socket's peer: `X-Forwarded-For` is written by the client and would let it pick a
 * fresh key for every guess. With `trustedProxies` = n, the entry n hops back from the
 * right of `X-Forwarded-For`: each of the merchant's proxies appends the address it saw,
 * so the right-most n entries are theirs and anything further left is the client's.
 * Express's `trust proxy` (`req.ip`) is deliberately not used: Medusa sets it for every app.
 *
 * An IPv4-mapped address counts as its IPv4 address, and an IPv6 address as its /64
 * network, because one host can use a whole /64 and so dodge a per-address count.
 */
export function clientAddressOf(req: RequestLike, trustedProxies = 0): string {
  const forwarded = trustedProxies > 0 ? forwardedHop(req.headers?.["x-forwarded-for"], trustedProxies) : null
  const address = (forwarded ?? req.socket?.remoteAddress ?? "").trim()
  if (!address) {
    return "unknown"
  }
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  if (mapped) {
    return mapped[1]
  }
  return isIPv6(address) ? ipv6Network64(address) : address
}

/**
 * The entry `hops` back from the right, or the left-most when there are fewer (the request
 * passed fewer proxies, so that is the farthest one saw). Null without the header or when
 * that entry is no address: then the socket's peer is the best key left.
 */
function forwardedHop(header: string | string[] | undefined, hops: number): string | null {
  const entries = [header ?? []]
    .flat()
    .join(",")
    .split(",")
    .map((entry) => withoutPort(entry.trim()))
    .filter(Boolean)
  if (!entries.length) {
    return null
  }
  const entry = entries[Math.max(entries.length - hops, 0)]
  return isIP(entry) ? entry : null
}

/** Some proxies append "1.2.3.4:5678" or "[2001:db8::1]:443". */
function withoutPort(entry: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(entry)
  if (bracketed) return bracketed[1]
  const v4 = /^(\d+\.\d+\.\d+\.\d+):\d+$/.exec(entry)
  return v4 ? v4[1] : entry
}

/** "2001:db8:1:2:a:b:c:d" → "2001:db8:1:2::/64" (zone ids dropped, "::" expanded). */
function ipv6Network64(address: string): string {
  const plain = address.split("%")[0]
  const [head, tail] = plain.split("::")
  const groups = (part: string | undefined) =>
    part ? part.split(":").flatMap((g) => (g.includes(".") ? ["0", "0"] : [g])) : []
  const left = groups(head)
  const right = groups(tail)
  const full = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill("0"), ...right]
  const prefix = full.slice(0, 4).map((g) => parseInt(g, 16).toString(16))
  return `${prefix.join(":")}::/64`
}
