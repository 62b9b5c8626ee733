import type { MedusaErrorHandlerFunction, MedusaNextFunction, MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { errorHandler, validateAndTransformQuery } from "@medusajs/framework/http"
import { z } from "@medusajs/framework/zod"
import { LedgerError, type LedgerErrorCode } from "../../modules/ledger/errors"
import { isDatabaseUnavailable, markDatabaseDown, refuseDatabaseUnavailable } from "./database-availability"
import { withInvalidRequestCode } from "./ledger-route"
import { INPUT_LIMITS, IdempotencyKeySchema, issueCode } from "./validators"

type Middleware = (req: MedusaRequest, res: MedusaResponse, next: MedusaNextFunction) => unknown

/** A refusal answered by a middleware itself, for statuses Medusa's error handler has no type for. */
function refuse(res: MedusaResponse, status: number, code: string, message: string) {
  res.status(status).json({ type: "invalid_data", code, message })
}

type ZodIssueLike = { path?: PropertyKey[]; message: string; params?: Record<string, unknown> }

/** One LedgerError for a failed validation: the first issue's code (see `coded`) or invalid_request. */
export function validationError(issues: ZodIssueLike[], where?: string): LedgerError {
  const code: LedgerErrorCode = issueCode(issues[0]) ?? "invalid_request"
  const message = issues
    .slice(0, 5)
    .map((i) => `${[where, ...(i.path ?? []).map(String)].filter(Boolean).join(".") || "body"}: ${i.message}`)
    .join("; ")
  return new LedgerError(code, message)
}

/** A JSON content type, optionally with a UTF-8 charset: `application/json; charset=utf-8`. */
function contentTypeProblem(header: string | undefined): string | null {
  if (!header) {
    return "Content-Type must be application/json"
  }
  const [type, ...params] = header.split(";").map((p) => p.trim().toLowerCase())
  if (type !== "application/json") {
    return `Content-Type must be application/json, not ${type.slice(0, 100) || "empty"}`
  }
  for (const param of params) {
    const [name, value] = param.split("=").map((p) => p?.trim().replace(/^"|"$/g, ""))
    if (name === "charset" && value !== "utf-8" && value !== "utf8") {
      return "the JSON body must be UTF-8"
    }
  }
  return null
}

class BodyError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message)
  }
}

/** Bytes drained from a refused body before the connection is given up on. */
const DRAIN_LIMIT = 16 * 1024 * 1024

/**
 * Reads the body up to `limit` bytes. A larger one is refused once the client has sent
 * it (read and dropped, so the client gets the answer), or at once past DRAIN_LIMIT.
 */
function readBody(req: MedusaRequest, limit: number): Promise<Buffer> {
  if (req.readableEnded) {
    return Promise.resolve(Buffer.alloc(0))
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let settled = false
    const declared = Number(req.headers["content-length"])
    let tooLarge = Number.isFinite(declared) && declared > limit
    const tooLargeError = () =>
      new BodyError(413, "payload_too_large", `The body is larger than ${limit} bytes`)
    const finish = (err: Error | null, body?: Buffer) => {
      if (settled) return
      settled = true
      err ? reject(err) : resolve(body!)
    }
    req.on("data", (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) tooLarge = true
      if (tooLarge) {
        chunks.length = 0
        if (size > DRAIN_LIMIT) {
          req.pause()
          finish(tooLargeError())
        }
        return
      }
      chunks.push(chunk)
    })
    req.once("end", () => finish(tooLarge ? tooLargeError() : null, Buffer.concat(chunks)))
    req.once("error", () => finish(new BodyError(400, "invalid_request", "The body could not be read")))
    req.once("close", () => finish(new BodyError(400, "invalid_request", "The body was not sent completely")))
  })
}

const utf8 = new TextDecoder("utf-8", { fatal: true })

/**
 * For the plugin's write routes (their `bodyParser` is off): the body must be a JSON object
 * sent as `application/json` (UTF-8), even when empty, so no cross-site form (urlencoded,
 * multipart, text/plain) can write; at most INPUT_LIMITS.bodyBytes (413 beyond); a given
 * `Idempotency-Key` header must be a valid key. Answers `{ type, code, message }`:
 * 415 `unsupported_media_type`, 413 `payload_too_large`, 400 `invalid_request`.
 */
export const jsonBody: Middleware = (req, res, next) => jsonBodyWithin(INPUT_LIMITS.bodyBytes)(req, res, next)

/** jsonBody with another size limit (the batch routes'). */
export const jsonBodyWithin = (limit: number): Middleware => async (req, res, next) => {
  const header = req.headers["idempotency-key"]
  if (header !== undefined) {
    const parsed = IdempotencyKeySchema.safeParse(Array.isArray(header) ? header.join(", ") : header)
    if (!parsed.success) {
      return next(validationError(parsed.error.issues as ZodIssueLike[], "Idempotency-Key"))
    }
  }
  if (req.method === "GET" || req.method === "HEAD" || req.method === "DELETE" || req.method === "OPTIONS") {
    return next()
  }
  const typeProblem = contentTypeProblem(req.headers["content-type"])
  if (typeProblem) {
    req.resume()
    return refuse(res, 415, "unsupported_media_type", typeProblem)
  }
  const encoding = String(req.headers["content-encoding"] ?? "identity").toLowerCase()
  if (encoding !== "identity") {
    req.resume()
    return refuse(res, 415, "unsupported_media_type", "Content-Encoding is not supported")
  }
  if ((req as any)._body) {
    // Already parsed by a body parser the app configured for this route: the type is checked.
    return next()
  }
  let text: string
  try {
    text = utf8.decode(await readBody(req, limit))
  } catch (e) {
    if (e instanceof BodyError) return refuse(res, e.status, e.code, e.message)
    return refuse(res, 400, "invalid_request", "The body is not valid UTF-8")
  }
  if (!text.trim()) {
    req.body = {}
    return next()
  }
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    return next(new LedgerError("invalid_request", "The body is not valid JSON"))
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return next(new LedgerError("invalid_request", "The body must be a JSON object"))
  }
  ;(req as any)._body = true
  req.body = body
  next()
}

/**
 * Validates the body with a zod schema into `req.validatedBody`. A refusal carries the
 * first issue's code (`invalid_amount`, `invalid_currency`, `invalid_code`) or
 * `invalid_request`, and names the fields at fault.
 */
export function validateBody(schema: z.ZodTypeAny): Middleware {
  return async (req, _res, next) => {
    const parsed = await schema.safeParseAsync(req.body ?? {})
    if (!parsed.success) {
      return next(validationError(parsed.error.issues as ZodIssueLike[]))
    }
    req.validatedBody = parsed.data
    next()
  }
}

/** Validates the path parameters (`:id`, `:code`, ...): a malformed one is 400, never looked up. */
export function validateParams(shape: Record<string, z.ZodTypeAny>): Middleware {
  const schema = z.object(shape)
  return (req, _res, next) => {
    const parsed = schema.safeParse(req.params ?? {})
    if (!parsed.success) {
      return next(validationError(parsed.error.issues as ZodIssueLike[], "path"))
    }
    next()
  }
}

/**
 * Medusa's query validation (list config, `filterableFields`) with our schema: a refusal
 * carries the first issue's code like a body's (Medusa's validator would keep only its
 * message), anything else Medusa refuses is `invalid_request`. Schemas must be strict.
 */
export function validateQuery(schema: z.ZodTypeAny, config?: Record<string, unknown>): Middleware {
  const checked = z.unknown().transform(async (query) => {
    const parsed = await schema.safeParseAsync(query)
    if (!parsed.success) {
      throw validationError(parsed.error.issues as ZodIssueLike[], "query")
    }
    return parsed.data
  })
  return withInvalidRequestCode(validateAndTransformQuery(checked as any, (config ?? {}) as any)) as Middleware
}

/**
 * The app's error handler: Medusa's, with two additions.
 * - On any route, an error that says PostgreSQL cannot be reached is 503
 *   `database_unavailable` (with Retry-After), not 500 `unknown_error`; it also marks the
 *   database down, so the plugin's routes answer 503 at once until it is back (databaseGate).
 * - On the plugin's routes, a path that is not valid percent-encoded UTF-8
 *   (`/admin/accounts/%E0%A4%A`) is 400 `invalid_request`. Express fails to decode such a
 *   parameter while matching routes (Medusa's own `/admin*` middleware already matches it)
 *   and Medusa's handler answers that URIError with a 500.
 * Every other error goes to Medusa's handler unchanged; an app that sets its own
 * errorHandler replaces this one.
 */
export function ledgerErrorHandler(matchers: string[]): MedusaErrorHandlerFunction {
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
  const patterns = matchers
    .filter((m) => m.includes("/:"))
    .map((m) => new RegExp(`^${m.split("/").map((seg) => (seg.startsWith(":") ? "[^/]+" : escape(seg))).join("/")}/?$`, "i"))
  const medusa = errorHandler()
  return (err, req, res, next) => {
    if (isDatabaseUnavailable(err)) {
      markDatabaseDown()
      return refuseDatabaseUnavailable(res)
    }
    const path = String(req.originalUrl ?? req.url ?? "").split("?")[0]
    if (err instanceof URIError && (err as any).status === 400 && patterns.some((p) => p.test(path))) {
      return refuse(res, 400, "invalid_request", "The path is not valid percent-encoded UTF-8")
    }
    return medusa(err, req, res, next)
  }
}
