import { randomFillSync } from "crypto"

// Crockford's base32: 32 symbols, so `byte & 31` of a random byte is uniform.
const BASE32 = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// Random bytes come from the OS in 4 KiB batches: one syscall per ~250 ids instead of
// one per character (which cost ~60 µs an id on the posting path).
const pool = Buffer.alloc(4096)
let offset = pool.length

/** `length` symbols of Crockford base32 from the OS CSPRNG (5 bits each). */
export function randomBase32(length: number): string {
  if (offset + length > pool.length) {
    randomFillSync(pool)
    offset = 0
  }
  let out = ""
  for (let i = 0; i < length; i++) {
    out += BASE32[pool[offset++] & 31]
  }
  return out
}

/** `prefix_` + a ULID (48-bit millisecond time, 80 random bits), as Medusa's ids. */
export function newId(prefix: string): string {
  let time = Date.now()
  let stamp = ""
  for (let i = 0; i < 10; i++) {
    stamp = BASE32[time % 32] + stamp
    time = Math.floor(time / 32)
  }
  return `${prefix}_${stamp}${randomBase32(16)}`
}
