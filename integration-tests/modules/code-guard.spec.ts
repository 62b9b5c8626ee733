import { moduleIntegrationTestRunner } from "@medusajs/test-utils"
import path from "path"
import { clientAddressOf, guardKeysOf } from "../../src/modules/code-guard"
import type { CodeGuardOptions } from "../../src/modules/code-guard/options"
import { resolveCodeGuardOptions } from "../../src/modules/code-guard/options"
import type CodeGuardModuleService from "../../src/modules/code-guard/service"
import { LedgerError, ledgerHttpStatus } from "../../src/modules/ledger/errors"
import { expectCode } from "../support/ledger-runner"
import { loadStandaloneModule } from "../support/standalone-ledger"

jest.setTimeout(60000)

const MODULE_PATH = path.join(__dirname, "../../src/modules/code-guard")
const MIGRATIONS = path.join(MODULE_PATH, "migrations")
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const unknownCode = () => Promise.reject(new LedgerError("not_found", "No account has that code"))
const CLIENT = "203.0.113.7"

type Args = { service: CodeGuardModuleService; dbUrl: string }

/** The code-guard module alone on a fresh, migrated database per test. */
function codeGuardSuite(name: string, codeGuard: CodeGuardOptions, suite: (args: Args) => void) {
  const dbName = `code-guard-${name}-${process.env.JEST_WORKER_ID ?? "1"}`
  moduleIntegrationTestRunner<CodeGuardModuleService>({
    moduleName: "code_guard",
    dbName,
    resolve: MODULE_PATH,
    pathToMigrations: MIGRATIONS,
    moduleOptions: { codeGuard },
    testSuite: ({ service, dbConfig }) => suite({ service, dbUrl: dbConfig.clientUrl }),
  })
}

/** A second copy of the module on the same database, as another server would run it. */
async function secondInstance(dbUrl: string, codeGuard: CodeGuardOptions) {
  const { service, shutdown } = await loadStandaloneModule<CodeGuardModuleService>(dbUrl, "code_guard", MODULE_PATH, { codeGuard }, 10)
  return { service, close: shutdown }
}

describe("code guard options", () => {
  it("defaults to 3 in a row, 15 minutes, 10 in all, blocked until cleared", () => {
    expect(resolveCodeGuardOptions({})).toEqual({
      maxConsecutiveFailures: 3,
      coolOffSeconds: 900,
      maxFailures: 10,
      blockSeconds: null,
      trustedProxies: 0,
    })
    expect(resolveCodeGuardOptions({ codeGuard: { trustedProxies: 2 } }).trustedProxies).toBe(2)
  })

  it.each([
    [{ maxConsecutiveFailures: 0 }],
    [{ maxConsecutiveFailures: 2.5 }],
    [{ maxFailures: Number("x") }],
    [{ coolOffSeconds: -1 }],
    [{ coolOffSeconds: Infinity }],
    [{ blockSeconds: 0 }],
    [{ maxFailures: "10" as any }],
    [{ trustedProxies: -1 }],
    [{ trustedProxies: 1.5 }],
    [{ trustedProxies: Number("x") }],
    [{ trustedProxies: "1" as any }],
  ])("refuses %p", (codeGuard) => {
    expect(() => resolveCodeGuardOptions({ codeGuard })).toThrow(/code_guard: option codeGuard\./)
  })

  it("names trustedProxies and what it must be", () => {
    expect(() => resolveCodeGuardOptions({ codeGuard: { trustedProxies: -1 } })).toThrow(
      "code_guard: option codeGuard.trustedProxies must be a non-negative integer, got -1"
    )
  })
})

describe("clientAddressOf", () => {
  const socket = (remoteAddress: string, xff?: string | string[]) => ({
    socket: { remoteAddress },
    headers: xff === undefined ? {} : { "x-forwarded-for": xff },
  })

  it("keys by the socket's peer: IPv4 as is, IPv4-mapped as IPv4, IPv6 by /64", () => {
    expect(clientAddressOf(socket("198.51.100.4"))).toBe("198.51.100.4")
    expect(clientAddressOf(socket("::ffff:198.51.100.4"))).toBe("198.51.100.4")
    expect(clientAddressOf(socket("2001:db8:aa:bb:1:2:3:4"))).toBe("2001:db8:aa:bb::/64")
    expect(clientAddressOf(socket("2001:db8:aa:bb::99"))).toBe("2001:db8:aa:bb::/64")
    expect(clientAddressOf(socket("2001:DB8::1%eth0"))).toBe("2001:db8:0:0::/64")
    expect(clientAddressOf(socket("::1"))).toBe("0:0:0:0::/64")
    expect(clientAddressOf({})).toBe("unknown")
  })

  it("ignores X-Forwarded-For (and Express's req.ip) without trusted proxies", () => {
    const req = { ...socket("192.0.2.1", "203.0.113.9"), ip: "203.0.113.9" }
    expect(clientAddressOf(req)).toBe("192.0.2.1")
    expect(clientAddressOf(req, 0)).toBe("192.0.2.1")
  })

  it("with n trusted proxies takes the entry n hops back from the right", () => {
    const lb = "10.0.0.5"
    expect(clientAddressOf(socket(lb, "203.0.113.9"), 1)).toBe("203.0.113.9")
    // The client wrote the left part; the proxy appended what it saw.
    expect(clientAddressOf(socket(lb, "1.2.3.4, 198.51.100.1, 203.0.113.9"), 1)).toBe("203.0.113.9")
    expect(clientAddressOf(socket(lb, "1.2.3.4, 203.0.113.9, 172.16.0.2"), 2)).toBe("203.0.113.9")
    expect(clientAddressOf(socket(lb, ["1.2.3.4, 203.0.113.9", "172.16.0.2"]), 2)).toBe("203.0.113.9")
    // Fewer entries than proxies: the farthest one any proxy saw.
    expect(clientAddressOf(socket(lb, "203.0.113.9"), 3)).toBe("203.0.113.9")
    // Ports some proxies append, IPv6 entries by /64.
    expect(clientAddressOf(socket(lb, "203.0.113.9:51234"), 1)).toBe("203.0.113.9")
    expect(clientAddressOf(socket(lb, "[2001:db8:1:2::7]:443"), 1)).toBe("2001:db8:1:2::/64")
    expect(clientAddressOf(socket(lb, "2001:db8:1:2::7"), 1)).toBe("2001:db8:1:2::/64")
    // No header, or no address where the proxy's entry should be: the socket's peer.
    expect(clientAddressOf(socket(lb), 1)).toBe(lb)
    expect(clientAddressOf(socket(lb, " , "), 1)).toBe(lb)
    expect(clientAddressOf(socket(lb, "1.2.3.4, unknown"), 1)).toBe(lb)
  })
})

describe("guardKeysOf", () => {
  const req = { socket: { remoteAddress: "192.0.2.1" }, headers: { "x-forwarded-for": "203.0.113.9" } }

  it("keys by address, logged-in customer and cart (else payment collection)", () => {
    expect(guardKeysOf(req, 0)).toEqual(["192.0.2.1"])
    expect(guardKeysOf(req, 1)).toEqual(["203.0.113.9"])
    const customer = { ...req, auth_context: { actor_type: "customer", actor_id: "cus_1" } }
    expect(guardKeysOf(customer, 0, { cart_id: "cart_1" })).toEqual(["192.0.2.1", "customer:cus_1", "cart:cart_1"])
    expect(guardKeysOf(customer, 0, { payment_collection_id: "pay_col_1" })).toEqual([
      "192.0.2.1",
      "customer:cus_1",
      "payment_collection:pay_col_1",
    ])
    // Only customers: an admin user's id is no shopper.
    expect(guardKeysOf({ ...req, auth_context: { actor_type: "user", actor_id: "user_1" } }, 0)).toEqual(["192.0.2.1"])
  })
})

codeGuardSuite("defaults", {}, ({ service, dbUrl }) => {
  it("cools a client off after 3 failures in a row, with a 429 code_blocked that says nothing about codes", async () => {
    await service.recordFailure(CLIENT)
    await service.recordFailure(CLIENT)
    await service.assertAllowed(CLIENT)
    const third = await service.recordFailure(CLIENT)
    expect(third).toEqual(expect.objectContaining({ consecutive_failures: 3, total_failures: 3, cooling: true, blocked: false }))
    expect(third.cooling_until!.getTime() - third.last_failure_at!.getTime()).toBe(900_000)
    const error = await expectCode(service.assertAllowed(CLIENT), "code_blocked")
    expect(ledgerHttpStatus(error.code)).toBe(429)
    expect(error.message).not.toMatch(/code (is|was|does)|exist|valid|account/i)
    // Other clients are not affected.
    await service.assertAllowed("203.0.113.8")
  })

  it("a success ends the run of failures; the total stays", async () => {
    for (const _ of [1, 2]) await service.recordFailure(CLIENT)
    await service.recordSuccess(CLIENT)
    for (const _ of [1, 2]) await service.recordFailure(CLIENT)
    await service.assertAllowed(CLIENT)
    expect(await service.getClientStatus(CLIENT)).toEqual(
      expect.objectContaining({ consecutive_failures: 2, total_failures: 4, cooling: false, blocked: false })
    )
    await service.recordSuccess("198.51.100.1") // a client without failures: nothing to do
  })

  it("blocks after 10 failures in all until an admin clears the client", async () => {
    for (let i = 1; i <= 10; i++) {
      await service.recordFailure(CLIENT)
      if (i % 2 === 0) await service.recordSuccess(CLIENT)
    }
    const status = await service.getClientStatus(CLIENT)
    expect(status).toEqual(expect.objectContaining({ consecutive_failures: 0, total_failures: 10, blocked: true }))
    expect(status.blocked_at).toBeInstanceOf(Date)
    await expectCode(service.assertAllowed(CLIENT), "code_blocked")
    await service.clearClient(CLIENT)
    await service.assertAllowed(CLIENT)
    expect(await service.getClientStatus(CLIENT)).toEqual(
      expect.objectContaining({ consecutive_failures: 0, total_failures: 0, cooling_until: null, blocked_at: null })
    )
  })

  it("guard: counts unknown codes, not other errors; a found code ends the run; refuses while blocked without running the lookup", async () => {
    await expectCode(service.guard(CLIENT, unknownCode), "not_found")
    await expectCode(service.guard(CLIENT, () => Promise.reject(new LedgerError("invalid_code", "bad"))), "invalid_code")
    await expect(service.guard(CLIENT, () => Promise.reject(new Error("db down")))).rejects.toThrow("db down")
    expect(await service.getClientStatus(CLIENT)).toEqual(expect.objectContaining({ consecutive_failures: 1, total_failures: 1 }))
    expect(await service.guard(CLIENT, async () => "found")).toBe("found")
    expect(await service.getClientStatus(CLIENT)).toEqual(expect.objectContaining({ consecutive_failures: 0, total_failures: 1 }))

    for (const _ of [1, 2, 3]) await expectCode(service.guard(CLIENT, unknownCode), "not_found")
    const lookup = jest.fn(async () => "found")
    await expectCode(service.guard(CLIENT, lookup), "code_blocked")
    expect(lookup).not.toHaveBeenCalled()
    const status = await service.getClientStatus(CLIENT)
    expect(status).toEqual(expect.objectContaining({ consecutive_failures: 3, total_failures: 4, cooling: true }))
    expect(status.last_failure_at).toBeInstanceOf(Date)
  })

  it("counts 20 parallel failures as 20", async () => {
    await Promise.all(Array.from({ length: 20 }, () => service.recordFailure(CLIENT)))
    expect(await service.getClientStatus(CLIENT)).toEqual(
      expect.objectContaining({ consecutive_failures: 20, total_failures: 20, cooling: true, blocked: true })
    )
  })

  it("lets a burst of 20 parallel guesses run only 3 lookups", async () => {
    let lookups = 0
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () =>
        service.guard(CLIENT, async () => {
          lookups++
          await sleep(50)
          throw new LedgerError("not_found", "No account has that code")
        })
      )
    )
    const codes = results.map((r) => (r.status === "rejected" ? (r.reason as any).code : "ok")).sort()
    expect(lookups).toBe(3)
    expect(codes.filter((c) => c === "not_found")).toHaveLength(3)
    expect(codes.filter((c) => c === "code_blocked")).toHaveLength(17)
    expect(await service.getClientStatus(CLIENT)).toEqual(expect.objectContaining({ consecutive_failures: 3, total_failures: 3 }))
  })

  it("counts together with a second instance on the same database", async () => {
    const other = await secondInstance(dbUrl, {})
    try {
      await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? other.service : service).recordFailure(CLIENT))
      )
      expect((await other.service.getClientStatus(CLIENT)).total_failures).toBe(20)
      await expectCode(other.service.assertAllowed(CLIENT), "code_blocked")
      await service.clearClient(CLIENT)
      await other.service.assertAllowed(CLIENT)
    } finally {
      await other.close()
    }
  })

  it("guard with several keys: an unknown code counts against each; any key cooling off refuses the request and writes nothing", async () => {
    const keys = ["cart:cart_1", CLIENT, "customer:cus_1"]
    for (const _ of [1, 2]) await expectCode(service.guard(keys, unknownCode), "not_found")
    for (const key of keys) {
      expect([key, await service.getClientStatus(key)]).toEqual([key, expect.objectContaining({ consecutive_failures: 2, total_failures: 2 })])
    }
    // The customer moves to another address and cart: their own count goes on, and cools off.
    await expectCode(service.guard(["198.51.100.9", "customer:cus_1", "cart:cart_9"], unknownCode), "not_found")
    expect(await service.getClientStatus("customer:cus_1")).toEqual(expect.objectContaining({ consecutive_failures: 3, cooling: true }))
    const lookup = jest.fn(async () => "found")
    await expectCode(service.guard(["198.51.100.10", "customer:cus_1", "cart:cart_2"], lookup), "code_blocked")
    expect(lookup).not.toHaveBeenCalled()
    expect(await service.listCodeGuardClients({ client: ["198.51.100.10", "cart:cart_2"] })).toEqual([])
    // Without that customer the first cart may still be tried; a found code ends the runs of its keys.
    expect(await service.guard(["cart:cart_1", "198.51.100.10"], lookup)).toBe("found")
    expect(await service.getClientStatus("cart:cart_1")).toEqual(expect.objectContaining({ consecutive_failures: 0, total_failures: 2 }))
    expect(await service.getClientStatus("198.51.100.10")).toEqual(expect.objectContaining({ consecutive_failures: 0, total_failures: 0 }))
    expect(await service.getClientStatus("customer:cus_1")).toEqual(expect.objectContaining({ consecutive_failures: 3, total_failures: 3, cooling: true }))
  })

  it("lets 20 parallel guesses by one customer from 20 addresses run only 3 lookups", async () => {
    let lookups = 0
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        service.guard([`198.51.100.${i + 1}`, "customer:cus_1"], async () => {
          lookups++
          await sleep(50)
          throw new LedgerError("not_found", "No account has that code")
        })
      )
    )
    const codes = results.map((r) => (r.status === "rejected" ? (r.reason as any).code : "ok"))
    expect(lookups).toBe(3)
    expect(codes.filter((c) => c === "code_blocked")).toHaveLength(17)
    expect(await service.getClientStatus("customer:cus_1")).toEqual(expect.objectContaining({ consecutive_failures: 3, total_failures: 3 }))
  })

  it("refuses to start with a bad trustedProxies option", async () => {
    await expect(
      (async () => {
        const other = await secondInstance(dbUrl, { trustedProxies: -1 })
        try {
          return other.service.guardOptions
        } finally {
          await other.close()
        }
      })()
    ).rejects.toThrow("code_guard: option codeGuard.trustedProxies must be a non-negative integer, got -1")
  })

  it("refuses an empty client key", async () => {
    await expectCode(service.assertAllowed(""), "invalid_request")
    await expectCode(service.recordFailure("   "), "invalid_request")
    await expectCode(service.guard([CLIENT, ""], async () => 1), "invalid_request")
    await expectCode(service.guard([], async () => 1), "invalid_request")
  })
})

const MANY = { maxConsecutiveFailures: 1000, maxFailures: 1000 }

codeGuardSuite("many-keys", MANY, ({ service, dbUrl }) => {
  it("counts overlapping key sets, given in any order, exactly, from two servers at once", async () => {
    const other = await secondInstance(dbUrl, MANY)
    try {
      for (let round = 0; round < 3; round++) {
        // Fresh keys each round, so the rows are created by the racing requests themselves.
        const keys = ["a", "b", "c", "d"].map((k) => `${k}-${round}`)
        const sets = permutations(keys).map((p, i) => p.slice(0, 2 + (i % 3)))
        const codes = await Promise.all(
          sets.map((set, i) => ((i % 2 ? other.service : service).guard(set, unknownCode) as Promise<unknown>).catch((e) => e.code ?? e.message))
        )
        expect(codes).toEqual(sets.map(() => "not_found"))
        for (const key of keys) {
          const expected = sets.filter((set) => set.includes(key)).length
          expect([key, (await other.service.getClientStatus(key)).total_failures]).toEqual([key, expected])
        }
      }
    } finally {
      await other.close()
    }
  })
})

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items]
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]))
}

codeGuardSuite("expiry", { coolOffSeconds: 1, maxFailures: 5, blockSeconds: 2 }, ({ service }) => {
  it("lets a cooled-off client try again after the cool-off; a further failure cools it off again", async () => {
    for (const _ of [1, 2, 3]) await service.recordFailure(CLIENT)
    await expectCode(service.assertAllowed(CLIENT), "code_blocked")
    await sleep(1100)
    await service.assertAllowed(CLIENT)
    await expectCode(service.guard(CLIENT, unknownCode), "not_found")
    await expectCode(service.guard(CLIENT, async () => 42), "code_blocked")
    await sleep(1100)
    expect(await service.guard(CLIENT, async () => 42)).toBe(42)
    expect(await service.getClientStatus(CLIENT)).toEqual(expect.objectContaining({ consecutive_failures: 0, total_failures: 4 }))
  })

  it("a block with blockSeconds expires, and the client starts over", async () => {
    for (let i = 1; i <= 5; i++) {
      await service.recordFailure(CLIENT)
      if (i === 2) await service.recordSuccess(CLIENT)
    }
    expect(await service.getClientStatus(CLIENT)).toEqual(expect.objectContaining({ total_failures: 5, blocked: true }))
    await expectCode(service.guard(CLIENT, async () => 1), "code_blocked")
    await sleep(2100)
    await service.assertAllowed(CLIENT)
    // A found code right after the block does not block the client again.
    expect(await service.guard(CLIENT, async () => 1)).toBe(1)
    expect(await service.getClientStatus(CLIENT)).toEqual(expect.objectContaining({ total_failures: 0, blocked: false }))
    await expectCode(service.guard(CLIENT, unknownCode), "not_found")
    expect(await service.getClientStatus(CLIENT)).toEqual(expect.objectContaining({ consecutive_failures: 1, total_failures: 1 }))
  })
})
