import {
  AmountSchema,
  CodeSchema,
  FieldsParam,
  INPUT_LIMITS,
  LimitParam,
  MetadataSchema,
  NameSchema,
  OffsetParam,
  SafeText,
  issueCode,
  isIsoDate,
  metadataProblem,
} from "../validators"

const nested = (depth: number) => {
  let node: Record<string, unknown> = { leaf: 1 }
  for (let i = 1; i < depth; i++) node = { n: node }
  return node
}

describe("input rules", () => {
  it("takes an amount only as a plain decimal string or a non-negative finite number", () => {
    for (const ok of ["5", "12.50", "0", "0005.1", 5, 12.5, 0]) {
      expect([ok, AmountSchema.safeParse(ok).success]).toEqual([ok, true])
    }
    for (const bad of [" 5", "5 ", "5\n", "\t5", "\u00a05", "\ufeff5", "+5", "-5", "1e3", "0x10", "5,00", "", ".5", "5.", "١", "Infinity", -1, Infinity, NaN, "9".repeat(41)]) {
      const r = AmountSchema.safeParse(bad)
      expect([bad, r.success, issueCode(r.error?.issues[0] as any)]).toEqual([bad, false, "invalid_amount"])
    }
    for (const wrongType of [null, true, {}, ["5"]]) {
      const r = AmountSchema.safeParse(wrongType)
      expect([wrongType, r.success, issueCode(r.error?.issues[0] as any)]).toEqual([wrongType, false, undefined])
    }
  })

  it("takes limit and offset in digits only, within bounds", () => {
    const limit = LimitParam(20)
    expect(limit.parse(undefined)).toBe(20)
    expect(limit.parse("1000")).toBe(1000)
    expect(OffsetParam.parse(String(INPUT_LIMITS.maxOffset))).toBe(INPUT_LIMITS.maxOffset)
    for (const bad of ["0", "-1", "1001", "1e309", "1.5", "0x10", " 5", "5 ", "", "ten", ["1"]]) {
      expect([bad, limit.safeParse(bad).success]).toEqual([bad, false])
    }
    for (const bad of ["-1", "1e20", "99999999999999999999", String(INPUT_LIMITS.maxOffset + 1)]) {
      expect([bad, OffsetParam.safeParse(bad).success]).toEqual([bad, false])
    }
  })

  it("refuses control characters in names, and all but tab and line breaks in text", () => {
    expect(NameSchema.safeParse("Café “gift” 🎁").success).toBe(true)
    for (const bad of ["a\u0000", "a\u001b[31m", "a\u0007", "a\r\n", "a\n", "a\u0085", "a\u2028", "a\ud800", "\udc00a", "  ", "", "x".repeat(201)]) {
      expect([bad, NameSchema.safeParse(bad).success]).toEqual([bad, false])
    }
    const text = SafeText(100)
    expect(text.safeParse("one\r\ntwo\tthree").success).toBe(true)
    expect(text.safeParse("\ud83c\udf81 ok").success).toBe(true)
    for (const bad of ["a\u0000", "a\u001b", "a\u0008", "a\u007f", "a\ufeff"]) {
      expect([bad, text.safeParse(bad).success]).toEqual([bad, false])
    }
  })

  it("takes codes of letters, digits, spaces and dashes (invalid_code otherwise)", () => {
    expect(CodeSchema.safeParse("abcd-efgh ijkl").success).toBe(true)
    for (const bad of ["ABCD_EFGH", "AB\u0000", "<script>", "x".repeat(101)]) {
      const r = CodeSchema.safeParse(bad)
      expect([bad, issueCode(r.error?.issues[0] as any)]).toEqual([bad, "invalid_code"])
    }
    const empty = CodeSchema.safeParse("")
    expect([empty.success, issueCode(empty.error?.issues[0] as any)]).toEqual([false, undefined])
  })

  it("takes only dates that exist", () => {
    for (const ok of ["2024-02-29", "2025-01-31T12:00:00Z", "2025-01-31T12:00:00.123+02:00", "2025-01-31 12:00"]) {
      expect([ok, isIsoDate(ok)]).toEqual([ok, true])
    }
    for (const bad of ["2025-02-29", "2025-02-30", "2025-13-01", "2025-01-01T24:00:00Z", "2025-01-01T1", "1", "tomorrow", "2025-01-01\u0000"]) {
      expect([bad, isIsoDate(bad)]).toEqual([bad, false])
    }
  })

  it("bounds metadata: depth, keys, sizes, reserved keys", () => {
    expect(metadataProblem(nested(INPUT_LIMITS.metadata.depth))).toBeNull()
    expect(metadataProblem(nested(INPUT_LIMITS.metadata.depth + 1))).toMatch(/nested/)
    expect(metadataProblem(nested(100000))).toMatch(/nested/)
    expect(metadataProblem(JSON.parse('{"a":{"__proto__":1}}'))).toMatch(/reserved/)
    expect(metadataProblem({ constructor: 1 })).toMatch(/reserved/)
    expect(metadataProblem({ "k\u0000": 1 })).toMatch(/control/)
    expect(metadataProblem({ v: "x\u0000" })).toMatch(/control/)
    expect(metadataProblem({ v: "line\nbreak\ttab" })).toBeNull()
    expect(metadataProblem([1])).toMatch(/object/)
    expect(MetadataSchema.safeParse(null).success).toBe(true)
    expect(MetadataSchema.safeParse(undefined).success).toBe(true)
    expect(MetadataSchema.safeParse("x").success).toBe(false)
  })

  it("takes fields the route has, in Medusa's forms", () => {
    const fields = FieldsParam({ fields: ["id", "name"], relations: { type: ["name", "code"] } })
    for (const ok of ["id,name", "+name,-id", "type.name", "*type", "type.*", "id,"]) {
      expect([ok, fields.safeParse(ok).success]).toEqual([ok, true])
    }
    for (const bad of ["nope", "type.secret", "type.parent.name", "*nope", "name\u0000", Array(51).fill("id").join(",")]) {
      expect([bad, fields.safeParse(bad).success]).toEqual([bad, false])
    }
    const noStars = FieldsParam({ fields: ["id"], relations: { type: ["name"] }, stars: false })
    expect(noStars.safeParse("type.name").success).toBe(true)
    expect(noStars.safeParse("*type").success).toBe(false)
    expect(noStars.safeParse("type.*").success).toBe(false)
  })
})
