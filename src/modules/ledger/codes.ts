import { LedgerError } from "./errors"
import { randomBase32 } from "./ids"

// Codes use Crockford's base32 (see ids.ts): no I, L, O or U, so they survive being read aloud.
const BITS_PER_CHAR = 5
export const MIN_CODE_BITS = 80

export type CodeFormat = {
  /** Random characters (5 bits each); at least 16 for 80 bits. Default 16. */
  length?: number
  /** Characters between dashes when displayed; 0 for none. Default 4. */
  groupSize?: number
}

export function resolveCodeFormat(format: CodeFormat = {}): Required<CodeFormat> {
  const length = format.length ?? 16
  const groupSize = format.groupSize ?? 4
  if (!Number.isInteger(length) || length * BITS_PER_CHAR < MIN_CODE_BITS || length > 64) {
    throw new Error(
      `ledger: code.length must be an integer from ${MIN_CODE_BITS / BITS_PER_CHAR} to 64 (>= ${MIN_CODE_BITS} bits), got ${length}`
    )
  }
  if (!Number.isInteger(groupSize) || groupSize < 0) {
    throw new Error(`ledger: code.groupSize must be a non-negative integer, got ${groupSize}`)
  }
  return { length, groupSize }
}

/** A new random code, normalised (no dashes). Uses the OS CSPRNG. */
export function generateCode(format: Required<CodeFormat>): string {
  return randomBase32(format.length)
}

/** Lookups ignore case, dashes and spaces. */
export function normalizeCode(code: unknown): string {
  if (typeof code !== "string") {
    throw new LedgerError("invalid_code", "code must be a string")
  }
  const normalized = code.replace(/[\s-]/g, "").toUpperCase()
  if (!/^[A-Z0-9]{4,64}$/.test(normalized)) {
    throw new LedgerError(
      "invalid_code",
      "code must be 4 to 64 letters or digits (dashes and spaces are ignored)"
    )
  }
  return normalized
}

export function formatCode(code: string | null, groupSize: number): string | null {
  if (!code || groupSize <= 0) {
    return code
  }
  return code.match(new RegExp(`.{1,${groupSize}}`, "g"))!.join("-")
}

/** Crockford's decoding of look-alikes: O → 0, I and L → 1. */
export function crockfordDigits(code: string): string {
  return code.replace(/O/g, "0").replace(/[IL]/g, "1")
}
