import fc from "fast-check"
import { ledgerModuleSuite } from "../support/ledger-runner"
import { expectVerified } from "../support/ledger-helpers"

jest.setTimeout(240000)

/**
 * Model-based property test of credit lots, with time: random grants (with or without an
 * expiry), spends, transfers between two wallets, holds, captures, releases, refunds and
 * reversals, the passing of days and the sweep. A model in integer cents keeps each
 * wallet's lots as the design says (spent soonest-expiring first, no expiry last, oldest
 * first among equals; holds reserve in the same order; undoing a debit returns to the lots
 * it took from, last taken first; expired lots are not spent, only lapsed by the sweep) and
 * predicts which operations are refused. After each sequence every lot in the database
 * must hold what the model says, and verify() must pass.
 *
 * Time: a lot of "day k" expires k days after the sequence started (less half a day). Moving
 * on d days moves every lot's expiry d days earlier, which is the same as waiting.
 */

const DAY_MS = 86_400_000
const money = (cents: number) => (cents / 100).toFixed(2)

type MLot = { seq: number; day: number | null; rem: number; res: number; origin: string | null }
type MWallet = { id: string; bal: number; held: number; lots: MLot[] | null }
type Take = { lot: MLot; amount: number }
type MTransfer = {
  id: string
  kind: "grant" | "redeem" | "transfer" | "capture"
  src: MWallet | null
  dst: MWallet | null
  amount: number
  refunded: number
  reversed: boolean
  takes: Take[] // what it took from the source's lots, in move order
  returns: Map<MLot, number> // what refunds gave back to those lots
}
type MHold = { id: string; w: MWallet; amount: number; open: boolean; res: Map<MLot, number> }

type AmountSpec = { abs: number } | { pct: number }
const amountArb: fc.Arbitrary<AmountSpec> = fc.oneof(
  fc.record({ abs: fc.integer({ min: 1, max: 3000 }) }),
  fc.record({ pct: fc.constantFrom(30, 50, 100, 101) })
)
const dayArb = fc.option(fc.integer({ min: 1, max: 4 }), { nil: null, freq: 3 })
const w = fc.nat({ max: 1 })
const i = fc.nat({ max: 40 })

type Op =
  | { op: "grant"; w: number; cents: number; day: number | null }
  | { op: "redeem"; w: number; amount: AmountSpec }
  | { op: "transfer"; w: number; amount: AmountSpec; day: number | null }
  | { op: "hold"; w: number; amount: AmountSpec }
  | { op: "capture"; h: number; amount: AmountSpec | null }
  | { op: "release"; h: number }
  | { op: "refund"; t: number; amount: AmountSpec }
  | { op: "reverse"; t: number }
  | { op: "days"; d: number }
  | { op: "sweep" }

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant("grant" as const), w, cents: fc.integer({ min: 1, max: 3000 }), day: dayArb }), weight: 5 },
  { arbitrary: fc.record({ op: fc.constant("redeem" as const), w, amount: amountArb }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constant("transfer" as const), w, amount: amountArb, day: dayArb }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant("hold" as const), w, amount: amountArb }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constant("capture" as const), h: i, amount: fc.option(amountArb, { nil: null }) }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant("release" as const), h: i }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant("refund" as const), t: i, amount: amountArb }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constant("reverse" as const), t: i }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant("days" as const), d: fc.integer({ min: 1, max: 2 }) }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant("sweep" as const) }), weight: 1 }
)

class Mismatch extends Error {}

ledgerModuleSuite("lots-properties", ({ service, db }) => {
  it("random sequences with lots and time keep every invariant and match the model", async () => {
    const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined
    const property = fc.asyncProperty(
      fc.tuple(fc.integer({ min: 0, max: 4000 }), fc.integer({ min: 0, max: 4000 })),
      fc.array(opArb, { minLength: 8, maxLength: 30, size: "max" }),
      async (initial, ops) => {
        const started = Date.now()
        let today = 0 // days gone by
        let seq = 0
        const log: string[] = []
        const wallets: MWallet[] = []
        for (const cents of initial) {
          const a = await service.createAccount({ name: "Wallet", currency_code: "usd", ...(cents ? { initial_amount: money(cents) } : {}) })
          wallets.push({ id: a.id, bal: cents, held: 0, lots: null })
        }
        const transfers: MTransfer[] = []
        const holds: MHold[] = []

        const expired = (l: MLot) => l.day !== null && l.day <= today
        const order = (lots: MLot[]) =>
          [...lots].sort((a, b) => (a.day ?? Infinity) - (b.day ?? Infinity) || a.seq - b.seq)
        const free = (l: MLot) => l.rem - l.res
        const spendable = (x: MWallet) =>
          x.lots ? x.lots.filter((l) => !expired(l)).reduce((n, l) => n + free(l), 0) : x.bal - x.held
        const available = (x: MWallet) => Math.min(x.bal - x.held, spendable(x))
        const amountOf = (spec: AmountSpec, payer: MWallet | null) =>
          "abs" in spec ? spec.abs : Math.max(1, Math.round((Math.max(payer ? available(payer) : 0, 0) * spec.pct) / 100))
        // a credit expiring `days` from now: the database's lots stand `today` days earlier
        const expiresAt = (days: number | null) => (days === null ? null : new Date(started + (days - 0.5) * DAY_MS))
        const dayOf = (days: number | null) => (days === null ? null : today + days)

        /** Runs a call the model says must succeed (expected = []) or fail with one of `expected`. */
        const attempt = async <T>(what: string, expected: string[], call: () => Promise<T>): Promise<T | null> => {
          log.push(`${what} -> ${expected.length ? expected.join("|") : "ok"}`)
          try {
            const r = await call()
            if (expected.length) throw new Mismatch(`${what}: succeeded, model expected ${expected.join("|")}\n${log.join("\n")}`)
            return r
          } catch (e: any) {
            if (e instanceof Mismatch) throw e
            if (!expected.includes(e?.code)) throw new Mismatch(`${what}: ${e?.code ?? e} ${e?.message}, model expected ${expected.join("|") || "success"}\n${log.join("\n")}`)
            return null
          }
        }

        // --- the model's lot rules
        const start = (x: MWallet) => {
          x.lots = []
          if (x.bal > 0) {
            const opening: MLot = { seq: seq++, day: null, rem: x.bal, res: 0, origin: null }
            x.lots.push(opening)
            let room = x.bal
            for (const h of holds.filter((h) => h.w === x && h.open)) {
              const r = Math.min(h.amount, room)
              if (r > 0) {
                opening.res += r
                h.res.set(opening, (h.res.get(opening) ?? 0) + r)
                room -= r
              }
            }
          }
        }
        /** A credit: back to the lots `parent` took (last taken first), else a new lot. */
        const credit = (x: MWallet, cents: number, day: number | null, origin: string, parent: MTransfer | null) => {
          if (!x.lots && day === null) return
          if (!x.lots) start(x)
          let left = cents
          if (parent && parent.src === x) {
            const taken = new Map<MLot, { back: number; last: number }>()
            parent.takes.forEach((t, n) => {
              const e = taken.get(t.lot) ?? { back: 0, last: 0 }
              taken.set(t.lot, { back: e.back + t.amount, last: n })
            })
            for (const [lot, e] of [...taken.entries()].sort((a, b) => b[1].last - a[1].last)) {
              const back = Math.min(e.back - (parent.returns.get(lot) ?? 0), left)
              if (back <= 0) continue
              lot.rem += back
              parent.returns.set(lot, (parent.returns.get(lot) ?? 0) + back)
              left -= back
              if (!left) break
            }
          }
          if (left > 0) x.lots!.push({ seq: seq++, day, rem: left, res: 0, origin })
        }
        /** A debit: the hold's reservation, the parent's lot, then the lots in spending order. */
        const debit = (x: MWallet, cents: number, opts: { hold?: MHold; parent?: MTransfer; lapse?: boolean } = {}): Take[] | null => {
          if (!x.lots) return []
          const takes: Take[] = []
          let need = cents
          if (opts.hold) {
            for (const [lot, r] of opts.hold.res) {
              const t = Math.min(r, need)
              if (t > 0) {
                lot.rem -= t
                lot.res -= t
                takes.push({ lot, amount: t })
                need -= t
              }
              lot.res -= r - t
            }
            opts.hold.res.clear()
          }
          if (opts.parent && need > 0) {
            for (const lot of x.lots.filter((l) => l.origin === opts.parent!.id && free(l) > 0)) {
              const t = Math.min(free(lot), need)
              lot.rem -= t
              takes.push({ lot, amount: t })
              need -= t
            }
          }
          for (const lot of order(x.lots)) {
            if (!need) break
            if (free(lot) <= 0 || (expired(lot) && !opts.lapse)) continue
            const t = Math.min(free(lot), need)
            lot.rem -= t
            takes.push({ lot, amount: t })
            need -= t
          }
          return need > 0 ? null : takes
        }
        // A refused debit must leave the model as it was: try it on a copy first.
        const wouldDebit = (x: MWallet, cents: number, opts: { hold?: MHold; parent?: MTransfer } = {}) => {
          if (!x.lots) return true
          const copy = x.lots.map((l) => ({ ...l }))
          const byLot = new Map(x.lots.map((l, n) => [l, copy[n]]))
          const shadow: MWallet = { ...x, lots: copy }
          const hold = opts.hold ? { ...opts.hold, res: new Map([...opts.hold.res].map(([l, r]) => [byLot.get(l)!, r])) } : undefined
          return debit(shadow, cents, { hold, parent: opts.parent }) !== null
        }
        const reserve = (x: MWallet, h: MHold) => {
          if (!x.lots) return
          let need = h.amount
          for (const lot of order(x.lots)) {
            if (!need) break
            if (free(lot) <= 0 || expired(lot)) continue
            const r = Math.min(free(lot), need)
            lot.res += r
            h.res.set(lot, (h.res.get(lot) ?? 0) + r)
            need -= r
          }
        }

        const undo = async (t: MTransfer, cents: number, reversal: boolean) => {
          // money goes back: from the destination to the source (core accounts never refuse here)
          const payer = t.dst
          const codes: string[] = []
          if (reversal && t.reversed) codes.push("already_reversed")
          else if (t.refunded + cents > t.amount || (reversal && t.amount - t.refunded <= 0)) codes.push("refund_exceeds_transfer")
          else if (payer && (payer.bal - payer.held < cents || !wouldDebit(payer, cents, { parent: t }))) codes.push("insufficient_funds")
          const what = `${reversal ? "reverse" : "refund"} ${t.kind} ${t.id} ${money(cents)}`
          const r = await attempt(what, codes, () => (reversal ? service.reverse(t.id) : service.refund(t.id, money(cents))))
          if (!r) return
          if (t.src) credit(t.src, cents, null, r.id, t)
          if (payer) debit(payer, cents, { parent: t })
          if (t.src) t.src.bal += cents
          if (payer) payer.bal -= cents
          t.refunded += cents
          if (reversal) t.reversed = true
        }

        for (const o of ops) {
          switch (o.op) {
            case "grant": {
              const x = wallets[o.w]
              const r = await attempt(`grant ${money(o.cents)} day ${o.day} to ${o.w}`, [], () =>
                service.topUp(x.id, money(o.cents), { expires_at: expiresAt(o.day) })
              )
              credit(x, o.cents, dayOf(o.day), r!.id, null)
              x.bal += o.cents
              transfers.push({ id: r!.id, kind: "grant", src: null, dst: x, amount: o.cents, refunded: 0, reversed: false, takes: [], returns: new Map() })
              break
            }
            case "redeem":
            case "transfer": {
              const x = wallets[o.w]
              const y = o.op === "transfer" ? wallets[1 - o.w] : null
              const cents = amountOf(o.amount, x)
              const ok = x.bal - x.held >= cents && wouldDebit(x, cents)
              const day = o.op === "transfer" ? o.day : null
              const r = await attempt(`${o.op} ${money(cents)} from ${o.w}${y ? ` day ${day}` : ""}`, ok ? [] : ["insufficient_funds"], () =>
                y ? service.transfer(x.id, y.id, money(cents), { expires_at: expiresAt(day) }) : service.redeem(x.id, money(cents))
              )
              if (!r) break
              if (y) credit(y, cents, dayOf(day), r.id, null)
              const takes = debit(x, cents)!
              x.bal -= cents
              if (y) y.bal += cents
              transfers.push({ id: r.id, kind: o.op, src: x, dst: y, amount: cents, refunded: 0, reversed: false, takes, returns: new Map() })
              break
            }
            case "hold": {
              const x = wallets[o.w]
              const cents = amountOf(o.amount, x)
              const ok = x.bal - x.held >= cents && (!x.lots || spendable(x) >= cents)
              const r = await attempt(`hold ${money(cents)} on ${o.w}`, ok ? [] : ["insufficient_funds"], () => service.hold(x.id, money(cents)))
              if (!r) break
              const h: MHold = { id: r.id, w: x, amount: cents, open: true, res: new Map() }
              reserve(x, h)
              x.held += cents
              holds.push(h)
              break
            }
            case "capture": {
              const h = holds.length ? holds[o.h % holds.length] : null
              if (!h) break
              const cents = o.amount ? amountOf(o.amount, null) : h.amount
              const codes = !h.open ? ["hold_not_open"] : cents > h.amount ? ["hold_exceeded"] : []
              const r = await attempt(`capture ${h.id} ${money(cents)}`, codes, () => service.capture(h.id, o.amount ? { amount: money(cents) } : {}))
              if (!r) break
              const takes = debit(h.w, cents, { hold: h })!
              h.w.bal -= cents
              h.w.held -= h.amount
              h.open = false
              transfers.push({ id: r.id, kind: "capture", src: h.w, dst: null, amount: cents, refunded: 0, reversed: false, takes, returns: new Map() })
              break
            }
            case "release": {
              const h = holds.length ? holds[o.h % holds.length] : null
              if (!h || !h.open) break
              await attempt(`release ${h.id}`, [], () => service.release(h.id))
              for (const [lot, r] of h.res) lot.res -= r
              h.res.clear()
              h.w.held -= h.amount
              h.open = false
              break
            }
            case "refund":
            case "reverse": {
              const t = transfers.length ? transfers[o.t % transfers.length] : null
              if (!t) break
              const cents = o.op === "reverse" ? t.amount - t.refunded : amountOf(o.amount, t.dst)
              await undo(t, cents, o.op === "reverse")
              break
            }
            case "days": {
              today += o.d
              log.push(`${o.d} day(s) pass: day ${today}`)
              await db.raw(`UPDATE ledger_lot SET expires_at = expires_at - ?::int * interval '1 day' WHERE expires_at IS NOT NULL AND account_id = ANY(?)`, [
                o.d,
                wallets.map((x) => x.id),
              ])
              break
            }
            case "sweep": {
              log.push("sweep")
              await service.closeExpiredAccounts()
              for (const x of wallets) {
                if (!x.lots) continue
                const due = x.lots.filter((l) => expired(l) && l.rem > 0).reduce((n, l) => n + free(l), 0)
                if (due > 0) {
                  debit(x, due, { lapse: true })
                  x.bal -= due
                }
              }
              break
            }
          }
        }

        // every wallet's lots, in spending order, as the model has them
        for (const x of wallets) {
          const { lots } = await service.listLots(x.id, { status: "all", limit: 1000 })
          const actual = lots.map((l) => [Math.round(Number(l.remaining) * 100), Math.round(Number(l.reserved) * 100)])
          const model = x.lots ? order(x.lots).map((l) => [l.rem, l.res]) : []
          const balance = Math.round(Number((await service.getAccount(x.id)).balance) * 100)
          if (JSON.stringify(actual) !== JSON.stringify(model) || balance !== x.bal) {
            throw new Mismatch(`wallet ${x.id}: database ${JSON.stringify(actual)} ${balance}, model ${JSON.stringify(model)} ${x.bal}\n${log.join("\n")}`)
          }
        }
        const v = await service.verify()
        if (!v.ok) throw new Mismatch(`verify() failed: ${JSON.stringify(v.checks.filter((c) => !c.ok))}\n${log.join("\n")}`)
      }
    )
    await fc.assert(property, { numRuns: Number(process.env.FC_RUNS ?? 25), seed, interruptAfterTimeLimit: 90_000 })
    await expectVerified(service)
  })
})
