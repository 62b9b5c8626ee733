import { z } from "@medusajs/framework/zod"
import type { LedgerErrorCode } from "../../modules/ledger/errors"

/**
 * The shared input rules of every admin and store route. Each limit is in INPUT_LIMITS
 * (the README's "Input limits" lists them); a value outside them is refused with 400 and
 * a stable code, never trimmed, clamped or passed on to the database.
 */
export const INPUT_LIMITS = {
  /** a JSON body, in bytes (Medusa's own default for JSON bodies) */
  bodyBytes: 100 * 1024,
  /** the body of a batch route (up to 1,000 items) */
  batchBodyBytes: 4 * 1024 * 1024,
  /** `limit` of every list */
  maxLimit: 1000,
  /** `offset` of every list: a 32-bit integer */
  maxOffset: 2_147_483_647,
  /** names of accounts and account types */
  nameLength: 200,
  /** descriptions */
  descriptionLength: 1000,
  /** an order refund's note */
  noteLength: 500,
  /** merchant references */
  referenceLength: 200,
  /** idempotency keys (body field or Idempotency-Key header) */
  idempotencyKeyLength: 200,
  /** ids of accounts, transfers, customers, orders, carts, ... */
  idLength: 100,
  /** gift card codes as typed (letters, digits, spaces and dashes) */
  codeLength: 100,
  /** `q` and other search text */
  searchLength: 200,
  /** decimal amount strings */
  amountLength: 40,
  /** items of a list filter (`id=a&id=b`, `status[]=...`) */
  filterItems: 100,
  /** `member_ids` of an account */
  memberIds: 100,
  /** `product_ids` of an account */
  productIds: 1000,
  /** `fields`: names in one request */
  fieldNames: 50,
  metadata: {
    /** nesting: the metadata object itself is level 1 */
    depth: 5,
    /** keys of one object */
    keysPerObject: 50,
    /** keys and array items in the whole tree */
    totalEntries: 500,
    /** items of one array */
    arrayItems: 100,
    keyLength: 100,
    stringLength: 2000,
    /** the whole metadata as JSON, in characters */
    jsonLength: 16 * 1024,
  },
} as const

/** Keys that mean something to JavaScript objects; never accepted as metadata keys. */
const RESERVED_KEYS = new Set(["__proto__", "constructor", "prototype"])

// C0 controls, DEL, C1 controls, line and paragraph separators, the byte order mark.
const CONTROL = /[\u0000-\u001F\u007F-\u009F\u2028\u2029\uFEFF]/
// The same, but tab, line feed and carriage return are text.
const CONTROL_EXCEPT_NEWLINES = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u2028\u2029\uFEFF]/
// Half of a surrogate pair: not a character, and not valid UTF-8 once stored.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** Why `value` is not acceptable text, or null when it is. */
export function textProblem(value: string, opts: { multiline?: boolean } = {}): string | null {
  if ((opts.multiline ? CONTROL_EXCEPT_NEWLINES : CONTROL).test(value)) {
    return opts.multiline
      ? "must not contain control characters (tab, line feed and carriage return are allowed)"
      : "must not contain control characters or line breaks"
  }
  if (LONE_SURROGATE.test(value)) {
    return "must be valid Unicode text"
  }
  return null
}

/** An issue that renders with this ledger code instead of `invalid_request`. */
const coded = (code: LedgerErrorCode, message: string) => ({ message, params: { code } })

/** A zod issue's ledger code (see `coded`), if it carries one. */
export function issueCode(issue: { params?: Record<string, unknown> } | undefined): LedgerErrorCode | undefined {
  const code = issue?.params?.code
  return typeof code === "string" ? (code as LedgerErrorCode) : undefined
}

const textOf = (max: number, multiline: boolean, min = 0) =>
  z
    .string()
    .max(max)
    .min(min)
    .superRefine((value, ctx) => {
      const problem = textProblem(value, { multiline })
      if (problem) ctx.addIssue({ code: "custom", message: problem })
    })

/** One line of text: no control characters at all. */
export const SafeLine = (max: number, min = 0) => textOf(max, false, min)

/** Text that may span lines: tab, LF and CR allowed, no other control characters. */
export const SafeText = (max: number, min = 0) => textOf(max, true, min)

/** A name: one line, 1–200 characters, not only spaces. */
export const NameSchema = SafeLine(INPUT_LIMITS.nameLength, 1).refine((v) => v.trim().length > 0, {
  message: "must not be blank",
})

export const DescriptionSchema = SafeText(INPUT_LIMITS.descriptionLength)
export const MerchantReferenceSchema = SafeLine(INPUT_LIMITS.referenceLength)
export const SearchSchema = SafeLine(INPUT_LIMITS.searchLength)

export const IdempotencyKeySchema = SafeLine(INPUT_LIMITS.idempotencyKeyLength, 1)

/**
 * An id: letters, digits, `_` and `-` (Medusa's `prefix_ULID`, the ledger's
 * `acc_sys_usd_bank`, a transfer reference), up to 100 characters. Ids of the wrong kind
 * are looked up and not found (404); ids of the wrong shape are refused here (400).
 */
const ID = new RegExp(`^[A-Za-z0-9_-]{1,${INPUT_LIMITS.idLength}}$`)
export const IdSchema = z.string().regex(ID, { message: `must be an id (letters, digits, _ and -, at most ${INPUT_LIMITS.idLength})` })

/** An account id, or a core account by role (`@bank`, `@unpaid_source`, ...). */
export const AccountRefSchema = z
  .string()
  .regex(/^(@[a-z_]{1,40}|[A-Za-z0-9_-]{1,100})$/, { message: "must be an account id or @role (e.g. @bank)" })

/**
 * A gift card code as typed: letters, digits, spaces and dashes (which lookups ignore);
 * empty is `invalid_request` (missing), any other wrong shape `invalid_code`.
 */
export const CodeSchema = z
  .string()
  .min(1)
  .refine((v) => v.length <= INPUT_LIMITS.codeLength && /^[A-Za-z0-9 -]*$/.test(v), {
    ...coded("invalid_code", `must be letters and digits (spaces and dashes allowed), at most ${INPUT_LIMITS.codeLength} characters`),
  })

/** An ISO 4217 code, any case. */
export const CurrencyCodeSchema = z
  .string()
  .refine((v) => /^[A-Za-z]{3}$/.test(v), coded("invalid_currency", "must be a 3-letter currency code"))

const PLAIN_DECIMAL = /^\d+(\.\d+)?$/

/** Whether `value` may be an amount: a plain decimal string, or a finite non-negative JSON number. */
export function isAmountInput(value: unknown): value is string | number {
  if (typeof value === "number") {
    return Number.isFinite(value) && value >= 0
  }
  return typeof value === "string" && value.length <= INPUT_LIMITS.amountLength && PLAIN_DECIMAL.test(value)
}

/**
 * Money: a JSON number (finite, not negative) or a decimal string that is exactly digits
 * with an optional fraction ("12.50"): no sign, exponent, spaces or other characters,
 * nothing trimmed. The ledger then checks the value (positive, decimals of the currency,
 * the maximum). No amount of this API is negative, a credit limit included. Not a string
 * or number at all: `invalid_request`; a string or number that is no amount: `invalid_amount`.
 */
export const AmountSchema = z
  .unknown()
  .superRefine((value, ctx) => {
    if (typeof value !== "string" && typeof value !== "number") {
      ctx.addIssue({ code: "custom", message: value === undefined ? "is required" : "must be a decimal string or a number" })
    } else if (!isAmountInput(value)) {
      ctx.addIssue({
        code: "custom",
        ...coded("invalid_amount", 'must be a decimal string like "12.50" (digits, optional fraction, nothing else) or a non-negative JSON number'),
      })
    }
  })
  .transform((v) => v as string | number)

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/

/** Whether `value` is an ISO 8601 date or date-time whose parts exist (no 30 February). */
export function isIsoDate(value: string): boolean {
  const m = ISO_DATE.exec(value)
  if (!m) return false
  const [, y, mo, d, h, mi, s] = m.map((p) => (p === undefined ? undefined : Number(p)))
  const year = y!
  const month = mo!
  const day = d!
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate()
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth) return false
  if (h !== undefined && (h > 23 || mi! > 59 || (s !== undefined && s > 59))) return false
  return !Number.isNaN(new Date(value).getTime())
}

const DATE_MESSAGE = "must be an ISO 8601 date, e.g. 2025-01-31 or 2025-01-31T12:00:00Z"

/** A date in a body (start_date, end_date, expires_at): an ISO 8601 string, kept as given. */
export const DateSchema = z.union([
  z.string().refine(isIsoDate, { message: DATE_MESSAGE }),
  z.date().refine((d) => !Number.isNaN(d.getTime()), { message: DATE_MESSAGE }),
])

/** A date query parameter: ISO 8601 (`2025-01-31` or `2025-01-31T12:00:00Z`), as a Date. */
export const DateParam = z
  .union([z.string(), z.date()])
  .refine((v) => (v instanceof Date ? !Number.isNaN(v.getTime()) : isIsoDate(v)), { message: DATE_MESSAGE })
  .transform((v) => (v instanceof Date ? v : new Date(v)))

/**
 * A date range as Medusa's lists take it: `created_at[$gte]=…&created_at[$lt]=…` (the
 * operators also without `$`). Unknown operators and bad dates are refused, not ignored.
 */
export const DateRangeParam = z
  .object({
    $gt: DateParam.optional(),
    $gte: DateParam.optional(),
    $lt: DateParam.optional(),
    $lte: DateParam.optional(),
    gt: DateParam.optional(),
    gte: DateParam.optional(),
    lt: DateParam.optional(),
    lte: DateParam.optional(),
  })
  .strict()
  .transform((r) => {
    const range: { $gt?: Date; $gte?: Date; $lt?: Date; $lte?: Date } = {}
    for (const op of ["gt", "gte", "lt", "lte"] as const) {
      const value = r[`$${op}`] ?? r[op]
      if (value) range[`$${op}`] = value
    }
    return range
  })
export type DateRangeParamType = z.infer<typeof DateRangeParam>

/** "a" or ["a","b"], as Medusa's list filters accept; at most 100 items. */
export const OneOrMany = <T extends z.ZodTypeAny>(schema: T, max: number = INPUT_LIMITS.filterItems) =>
  z.union([schema, z.array(schema).max(max)])

export const BooleanString = z
  .union([z.boolean(), z.enum(["true", "false"])])
  .transform((v) => v === true || v === "true")

/**
 * A whole number query parameter: digits only (no sign, fraction, exponent, hex or
 * spaces), from `min` to `max`. A number is taken as it is (for programmatic callers).
 */
export const IntParam = ({ min, max, fallback }: { min: number; max: number; fallback: number }) =>
  z
    .union([z.string(), z.number()])
    .refine((v) => (typeof v === "number" ? Number.isSafeInteger(v) : /^\d{1,16}$/.test(v)), {
      message: "must be a whole number written in digits",
    })
    .transform((v) => Number(v))
    .refine((n) => n >= min && n <= max, { message: `must be from ${min} to ${max}` })
    .default(fallback)

/** `limit` of a list: 1 to INPUT_LIMITS.maxLimit (1,000). */
export const LimitParam = (fallback: number) => IntParam({ min: 1, max: INPUT_LIMITS.maxLimit, fallback })

/** `offset` of a list: 0 to INPUT_LIMITS.maxOffset. */
export const OffsetParam = IntParam({ min: 0, max: INPUT_LIMITS.maxOffset, fallback: 0 })

/** `order`: one of `fields`, `-` in front for descending. */
export const OrderParam = <T extends string>(fields: readonly T[]) =>
  z
    .string()
    .max(100)
    .refine((v) => (fields as readonly string[]).includes(v.replace(/^-/, "")), {
      message: `must be one of ${fields.join(", ")}, with - in front for descending`,
    })

/** What `fields` may name on a route: its own fields and, per relation, the relation's. */
export type FieldsSpec = {
  fields: readonly string[]
  relations?: Record<string, readonly string[]>
  /** whether `rel.*` and `*rel` may ask for every field of a relation (default true) */
  stars?: boolean
}

/** Why a `fields` value names something the route does not have, or null when it does not. */
export function fieldsProblem(value: string, spec: FieldsSpec): string | null {
  const tokens = value.split(",").map((t) => t.trim())
  if (tokens.length > INPUT_LIMITS.fieldNames) {
    return `names at most ${INPUT_LIMITS.fieldNames} fields`
  }
  const relations = spec.relations ?? {}
  const has = (map: Record<string, unknown>, key: string) => Object.prototype.hasOwnProperty.call(map, key)
  for (const token of tokens) {
    if (!token) continue
    const name = token.replace(/^[+*-]/, "")
    const star = token.startsWith("*")
    const [head, tail, ...rest] = name.split(".")
    const wantsAll = star || tail === "*"
    const known =
      rest.length === 0 &&
      (!wantsAll || spec.stars !== false) &&
      (star
        ? tail === undefined && has(relations, head)
        : tail === undefined
          ? spec.fields.includes(head)
          : has(relations, head) && (tail === "*" || relations[head].includes(tail)))
    if (!known) {
      const names = [
        ...spec.fields,
        ...Object.entries(relations).flatMap(([r, cols]) => (spec.stars === false ? cols.map((c) => `${r}.${c}`) : [`${r}.*`])),
      ]
      return `names an unknown field ${JSON.stringify(token.slice(0, 100))}; known: ${names.join(", ")}`
    }
  }
  return null
}

/** `fields`, as Medusa reads it (`a,b`, `+a`, `-a`, `rel.*`, `*rel`, `rel.b`), limited to `spec`. */
export const FieldsParam = (spec: FieldsSpec) =>
  z
    .string()
    .max(2000)
    .superRefine((value, ctx) => {
      const problem = fieldsProblem(value, spec)
      if (problem) ctx.addIssue({ code: "custom", message: problem })
    })

/** The paging and shaping parameters of a list, all checked: `limit`, `offset`, `order`, `fields`. */
export const ListParams = <T extends string>(opts: { defaultLimit: number; sorts: readonly T[]; fields: FieldsSpec }) => ({
  limit: LimitParam(opts.defaultLimit),
  offset: OffsetParam,
  order: OrderParam(opts.sorts).optional(),
  fields: FieldsParam(opts.fields).optional(),
})

/** Why `value` is not acceptable metadata, or null. See INPUT_LIMITS.metadata. */
export function metadataProblem(value: unknown): string | null {
  const L = INPUT_LIMITS.metadata
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return "metadata must be an object"
  }
  let entries = 0
  // Depth first with an explicit stack: no recursion, whatever the input.
  const stack: { node: unknown; depth: number; path: string }[] = [{ node: value, depth: 1, path: "metadata" }]
  while (stack.length) {
    const { node, depth, path } = stack.pop()!
    if (typeof node === "string") {
      if (node.length > L.stringLength) return `${path} is longer than ${L.stringLength} characters`
      const problem = textProblem(node, { multiline: true })
      if (problem) return `${path} ${problem}`
      continue
    }
    if (node === null || typeof node === "boolean") continue
    if (typeof node === "number") {
      if (!Number.isFinite(node)) return `${path} must be a finite number`
      continue
    }
    if (typeof node !== "object") return `${path} must be JSON`
    if (depth > L.depth) return `metadata is nested more than ${L.depth} levels deep (at ${path})`
    if (Array.isArray(node)) {
      if (node.length > L.arrayItems) return `${path} has more than ${L.arrayItems} items`
      entries += node.length
      node.forEach((item, i) => stack.push({ node: item, depth: depth + 1, path: `${path}[${i}]` }))
    } else {
      if (Object.getPrototypeOf(node) !== Object.prototype && Object.getPrototypeOf(node) !== null) {
        return `${path} must be a plain object`
      }
      const keys = Object.keys(node)
      if (keys.length > L.keysPerObject) return `${path} has more than ${L.keysPerObject} keys`
      entries += keys.length
      for (const key of keys) {
        if (RESERVED_KEYS.has(key)) return `${path} has the reserved key ${JSON.stringify(key)}`
        if (key.length < 1 || key.length > L.keyLength) return `${path} has a key that is empty or longer than ${L.keyLength} characters`
        const problem = textProblem(key)
        if (problem) return `${path} has a key that ${problem}`
        stack.push({ node: (node as Record<string, unknown>)[key], depth: depth + 1, path: `${path}.${key.slice(0, 40)}` })
      }
    }
    if (entries > L.totalEntries) return `metadata has more than ${L.totalEntries} keys and items in all`
  }
  if (JSON.stringify(value).length > L.jsonLength) {
    return `metadata is larger than ${L.jsonLength} characters as JSON`
  }
  return null
}

/**
 * Metadata: a JSON object of at most 5 levels, 50 keys an object, 500 keys and items in
 * all, 16 KB as JSON; keys of 1–100 characters without control characters and never
 * `__proto__`, `constructor` or `prototype`; strings of at most 2,000 characters without
 * control characters other than tab and line breaks. `null` clears it.
 */
export const MetadataSchema = z
  .unknown()
  .superRefine((value, ctx) => {
    if (value === undefined || value === null) return
    const problem = metadataProblem(value)
    if (problem) ctx.addIssue({ code: "custom", message: problem })
  })
  .transform((v) => v as Record<string, unknown> | null | undefined)
  .optional()

/** The fields of a batch request besides its items. */
export const BatchFields = {
  mode: z.enum(["independent", "atomic"]).optional(),
  idempotency_key: IdempotencyKeySchema.optional(),
  /** answer what the batch would do, writing nothing */
  dry_run: z.boolean().optional(),
}

/** A credit's own expiry (the lot it adds to the destination); never when absent. */
export const CreditFields = {
  expires_at: DateSchema.nullish(),
}

/** Common optional fields of every posting. */
export const PostingFields = {
  description: DescriptionSchema.nullish(),
  merchant_reference: MerchantReferenceSchema.nullish(),
  idempotency_key: IdempotencyKeySchema.optional(),
  metadata: MetadataSchema,
}

/** `format=csv` downloads the whole filtered list (up to CSV_MAX_ROWS rows) instead of a page. */
export const FormatParam = z.enum(["json", "csv"])
