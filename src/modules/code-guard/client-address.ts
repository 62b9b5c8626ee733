import { isIPv6 } from "net"

type RequestLike = { ip?: string; socket?: { remoteAddress?: string } }

/**
 * The key the code guard counts a request's failures under: the client address Express
 * reports (`req.ip`, which honours Medusa's `trust proxy` setting), else the socket's.
 * An IPv4-mapped address counts as its IPv4 address, and an IPv6 address as its /64
 * network, because one host can use a whole /64 and so dodge a per-address count.
 */
export function clientAddressOf(req: RequestLike): string {
  const address = (req.ip || req.socket?.remoteAddress || "").trim()
  if (!address) {
    return "unknown"
  }
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  if (mapped) {
    return mapped[1]
  }
  return isIPv6(address) ? ipv6Network64(address) : address
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
