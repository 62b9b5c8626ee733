import fc from "fast-check"
import { MIN_CODE_BITS, formatCode, generateCode, normalizeCode, resolveCodeFormat } from "../codes"
import { MAX_AMOUNT, currencyDecimals, normalizeCurrency, parseAmount, toDecimal } from "../money"

const codeOf = (fn: () => unknown) => {
  try {
    fn()
  } catch (e: any) {
    return e.code ?? e.message
  }
  return "ok"
}

describe("parseAmount", () => {
  it("accepts numbers and plain decimal strings, returning the canonical decimal string", () => {
    expect(parseAmount(12.5, "usd")).toBe("12.5")
    expect(parseAmount("12.50", "usd")).toBe("12.5")
    expect(parseAmount("  7 ", "usd")).toBe("7")
    expect(parseAmount("0007.10", "usd")).toBe("7.1")
    expect(parseAmount(1000, "jpy")).toBe("1000")
    expect(parseAmount("1.000", "jpy")).toBe("1")
    expect(parseAmount("1.005", "kwd")).toBe("1.005")
    expect(parseAmount("0.0001", "clf")).toBe("0.0001")
    expect(parseAmount("0.01", undefined)).toBe("0.01")
    expect(parseAmount("1.2345", undefined)).toBe("1.2345")
    expect(parseAmount(MAX_AMOUNT.toFixed(), "usd")).toBe("1000000000000")
    expect(parseAmount(0, "usd", { allowZero: true })).toBe("0")
    expect(parseAmount("0.00", "usd", { allowZero: true })).toBe("0")
  })

  it.each([
    ["zero", 0],
    ["zero string", "0.00"],
    ["negative", -1],
    ["negative string", "-1.00"],
    ["negative zero", -0],
    ["NaN", NaN],
    ["Infinity", Infinity],
    ["-Infinity", -Infinity],
    ["exponent string", "1e3"],
    ["capital exponent", "1E3"],
    ["exponent number", 1e21],
    ["tiny number", 5e-7],
    ["float noise", 0.1 + 0.2],
    ["plus sign", "+5"],
    ["leading dot", ".5"],
    ["trailing dot", "5."],
    ["comma decimal", "5,00"],
    ["thousands separator", "1,000"],
    ["hex", "0x1A"],
    ["words", "ten"],
    ["empty", ""],
    ["blank", "   "],
    ["inner space", "1 000"],
    ["null", null],
    ["undefined", undefined],
    ["boolean", true],
    ["object", { value: "1" }],
    ["array", ["1"]],
    ["bigint", BigInt(5)],
    ["too large", "1000000000000.01"],
    ["too many digits", "1234567890123456"],
    ["too many decimals at all", "1.000000001"],
  ])("rejects %s as invalid_amount", (_label, value) => {
    expect(codeOf(() => parseAmount(value, "usd"))).toBe("invalid_amount")
    expect(codeOf(() => parseAmount(value, undefined))).toBe("invalid_amount")
  })

  it("rejects more decimals than the currency has, without rounding", () => {
    expect(codeOf(() => parseAmount("1.005", "usd"))).toBe("invalid_amount")
    expect(codeOf(() => parseAmount(1.001, "usd"))).toBe("invalid_amount")
    expect(codeOf(() => parseAmount("1.5", "jpy"))).toBe("invalid_amount")
    expect(codeOf(() => parseAmount("0.1", "krw"))).toBe("invalid_amount")
    expect(codeOf(() => parseAmount("1.0005", "kwd"))).toBe("invalid_amount")
    expect(codeOf(() => parseAmount("1.00001", "clf"))).toBe("invalid_amount")
    // unknown currency: at most 4 decimals pass here, the database checks the rest
    expect(codeOf(() => parseAmount("1.00001", undefined))).toBe("invalid_amount")
    expect(codeOf(() => parseAmount("1.005", "USD"))).toBe("invalid_amount")
    // trailing zeros are not decimals
    expect(parseAmount("1.500", "usd")).toBe("1.5")
    expect(parseAmount("2.000", "jpy")).toBe("2")
  })

  it("names the field in its message and accepts zero only when told to", () => {
    expect(() => parseAmount(-1, "usd", { field: "credit_limit", allowZero: true })).toThrow(/credit_limit/)
    expect(codeOf(() => parseAmount(0, "usd", { field: "credit_limit" }))).toBe("invalid_amount")
  })

  it("round-trips every valid cent amount exactly (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000_000_000_000 }), (cents) => {
        const text = (BigInt(cents) / 100n).toString() + "." + String(cents % 100).padStart(2, "0")
        const parsed = parseAmount(text, "usd")
        expect(toDecimal(parsed).times(100).toFixed()).toBe(String(cents))
        expect(parseAmount(parsed, "usd")).toBe(parsed)
      })
    )
  })

  it("never rounds: an accepted number keeps its exact decimal value (property)", () => {
    fc.assert(
      fc.property(fc.double({ min: 0.0001, max: 1e12, noNaN: true }), (n) => {
        let parsed: string
        try {
          parsed = parseAmount(n, undefined)
        } catch (e: any) {
          expect(e.code).toBe("invalid_amount")
          return
        }
        expect(toDecimal(parsed).toNumber()).toBe(n)
        expect(toDecimal(parsed).decimalPlaces()).toBeLessThanOrEqual(4)
      })
    )
  })
})

describe("currencies", () => {
  it("knows the ISO 4217 minor units, 2 by default", () => {
    expect(currencyDecimals("usd")).toBe(2)
    expect(currencyDecimals("EUR")).toBe(2)
    expect(currencyDecimals("jpy")).toBe(0)
    expect(currencyDecimals("KRW")).toBe(0)
    expect(currencyDecimals("kwd")).toBe(3)
    expect(currencyDecimals("bhd")).toBe(3)
    expect(currencyDecimals("clf")).toBe(4)
  })

  it("normalises currency codes and rejects anything but three letters", () => {
    expect(normalizeCurrency("USD")).toBe("usd")
    expect(normalizeCurrency("eUr")).toBe("eur")
    for (const bad of ["us", "usdd", "u$d", "", " usd", 840, null, undefined]) {
      expect(codeOf(() => normalizeCurrency(bad))).toBe("invalid_currency")
    }
  })
})

describe("codes", () => {
  const CROCKFORD_RE = /^[0-9A-HJKMNP-TV-Z]+$/

  it("generates uppercase Crockford base32 codes of at least 80 bits", () => {
    const format = resolveCodeFormat()
    expect(format.length * 5).toBeGreaterThanOrEqual(MIN_CODE_BITS)
    const codes = Array.from({ length: 2000 }, () => generateCode(format))
    for (const code of codes) {
      expect(code).toHaveLength(16)
      expect(code).toMatch(CROCKFORD_RE)
    }
    expect(new Set(codes).size).toBe(codes.length)
    // every symbol is used, and roughly evenly (32000 draws, 1000 expected each)
    const counts = new Map<string, number>()
    for (const ch of codes.join("")) counts.set(ch, (counts.get(ch) ?? 0) + 1)
    expect(counts.size).toBe(32)
    for (const n of counts.values()) {
      expect(n).toBeGreaterThan(800)
      expect(n).toBeLessThan(1200)
    }
    expect(generateCode(resolveCodeFormat({ length: 24 }))).toMatch(/^[0-9A-HJKMNP-TV-Z]{24}$/)
  })

  it("refuses code formats under 80 bits or malformed", () => {
    expect(() => resolveCodeFormat({ length: 15 })).toThrow(/80 bits/)
    expect(() => resolveCodeFormat({ length: 65 })).toThrow()
    expect(() => resolveCodeFormat({ length: 16.5 })).toThrow()
    expect(() => resolveCodeFormat({ groupSize: -1 })).toThrow()
    expect(resolveCodeFormat({ length: 16, groupSize: 0 })).toEqual({ length: 16, groupSize: 0 })
  })

  it("normalises codes: case, dashes and spaces are ignored", () => {
    expect(normalizeCode("abcd-efgh-jkmn-pqrs")).toBe("ABCDEFGHJKMNPQRS")
    expect(normalizeCode(" abcd efgh\tjkmn-PQRS ")).toBe("ABCDEFGHJKMNPQRS")
    expect(normalizeCode("--ab--cd--")).toBe("ABCD")
    for (const bad of ["abc", "", "----", "ab_cd", "abcd!", "äbcd", "a".repeat(65), 1234, null]) {
      expect(codeOf(() => normalizeCode(bad))).toBe("invalid_code")
    }
  })

  it("formats codes in groups, and formatting then normalising is the identity (property)", () => {
    expect(formatCode("ABCDEFGHJKMNPQRS", 4)).toBe("ABCD-EFGH-JKMN-PQRS")
    expect(formatCode("ABCDEFGHJK", 4)).toBe("ABCD-EFGH-JK")
    expect(formatCode("ABCDEFGHJK", 0)).toBe("ABCDEFGHJK")
    expect(formatCode(null, 4)).toBeNull()
    fc.assert(
      fc.property(fc.integer({ min: 16, max: 64 }), fc.integer({ min: 0, max: 10 }), (length, groupSize) => {
        const code = generateCode(resolveCodeFormat({ length, groupSize }))
        const shown = formatCode(code, groupSize)!
        expect(normalizeCode(shown)).toBe(code)
        expect(normalizeCode(shown.toLowerCase().replace(/-/g, " "))).toBe(code)
        if (groupSize > 0) {
          expect(shown.split("-").every((g) => g.length <= groupSize)).toBe(true)
          expect(shown.split("-").slice(0, -1).every((g) => g.length === groupSize)).toBe(true)
        }
      })
    )
  })
})
