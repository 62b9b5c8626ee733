import { Client } from "pg"
import { TYPE_CODES, typeId } from "../../src/modules/ledger/core"
import { newId } from "../../src/modules/ledger/ids"
import { ledgerModuleSuite } from "../support/ledger-runner"
import { PlanNode, planNodes, seqScans, watchPlans } from "../support/auto-explain"

jest.setTimeout(120000)

/** Every node of a plan (EXPLAIN ANALYZE's JSON form) that read `table`, with how often it ran. */
const reads = (plan: PlanNode, table: string) =>
  planNodes(plan)
    .filter((n) => n["Relation Name"] === table)
    .map((n) => ({ node: n["Node Type"], loops: n["Actual Loops"] ?? 0 }))

/** A posting as ledger_post_many takes it, with new ids. */
const posting = (fields: Record<string, string>) => ({
  id: newId("ltr"),
  reference: `PLAN${Math.random().toString(36).slice(2, 14).toUpperCase()}`,
  source_entry_id: newId("lent"),
  destination_entry_id: newId("lent"),
  ...fields,
})

/**
 * What the batch functions read, watched from inside by auto_explain (with ANALYZE, so each
 * plan node says how many times it ran). The service runs on a connection of ours, through
 * the transaction manager it is given, and everything is rolled back.
 */
ledgerModuleSuite("batch-plans", ({ service, dbUrl }) => {
  async function explained(run: (ctx: any) => Promise<unknown>) {
    const client = new Client({ connectionString: dbUrl })
    await client.connect()
    const sent = new Set<string>()
    const manager = {
      execute: async (sql: string, params: unknown[] = []) => {
        let n = 0
        const text = sql.replace(/\?/g, () => `$${++n}`)
        sent.add(text)
        return (await client.query(text, params as any[])).rows
      },
    }
    let plans: { text: string; plan: PlanNode }[] = []
    try {
      plans = await watchPlans(client, { analyze: true })
      await client.query("BEGIN")
      await run({ manager, transactionManager: manager })
      await client.query("ROLLBACK")
    } finally {
      await client.end()
    }
    // (the statements the service sends are planned anew each time; what runs inside the
    // batch functions keeps its plan)
    return plans.map((p) => ({ ...p, top: sent.has(p.text) }))
  }

  // The statement of ledger_lock_many that resolves each item's accounts (and parent).
  const lockStatement = (plans: { text: string; plan: PlanNode }[]) =>
    plans.filter((p) => p.text.trimStart().startsWith("WITH items AS"))

  it("a batch without refunds locks its accounts without reading transfers", async () => {
    const cards = Array.from({ length: 5 }, () => ({
      name: "Gift card",
      currency_code: "usd",
      type_id: typeId(TYPE_CODES.giftCards),
      generate_code: true,
      initial_amount: "25",
      source_account_id: "@bank",
    }))
    const created = await explained((ctx) => service.createAccounts(cards, {}, ctx))
    const wallet = await service.createAccount({ name: "Wallet", currency_code: "usd", initial_amount: "100" })
    const spent = await explained((ctx) =>
      service.postBatch(
        Array.from({ length: 4 }, () => ({ source_account_id: wallet.id, destination_account_id: "@redemptions", amount: "1", kind: "redemption" as const })),
        {},
        ctx
      )
    )
    for (const plans of [created, spent]) {
      const locking = lockStatement(plans)
      expect(locking.length).toBe(1)
      // planned (for the items that have a parent), never run for these
      const transferReads = reads(locking[0].plan, "ledger_transfer")
      expect(transferReads.length).toBeGreaterThan(0)
      expect(transferReads.filter((r) => r.loops > 0)).toEqual([])
    }
  })

  it("on a new ledger, whose tables the planner would rather scan, a batch reads every table by key", async () => {
    const cards = Array.from({ length: 3 }, () => ({
      name: "Gift card",
      currency_code: "usd",
      generate_code: true,
      initial_amount: "25",
      source_account_id: "@bank",
    }))
    const wallet = await service.createAccount({ name: "Wallet", currency_code: "usd", initial_amount: "100" })
    const paid = await service.redeem(wallet.id, 30)
    const plans = [
      ...(await explained((ctx) => service.createAccounts(cards, {}, ctx))),
      ...(await explained((ctx) =>
        service.postBatch(
          Array.from({ length: 3 }, () => ({ source_account_id: wallet.id, destination_account_id: "@redemptions", amount: "1", kind: "redemption" as const })),
          {},
          ctx
        )
      )),
      // a refund among them: the item-by-item path
      ...(await explained((ctx) =>
        ctx.manager.execute(`SELECT * FROM ledger_post_many(?::jsonb, false)`, [
          JSON.stringify([
            posting({ kind: "refund", parent: paid.id, amount: "5" }),
            posting({ kind: "redemption", source: wallet.id, destination: "@redemptions", amount: "2" }),
          ]),
        ])
      )),
    ]
    const inside = plans.filter((p) => !p.top)
    expect(inside.length).toBeGreaterThan(40)
    const scans = inside.flatMap((p) =>
      seqScans(p.plan, (table) => table.startsWith("ledger_")).map((table) => `${table}: ${p.text.trim().slice(0, 70)}`)
    )
    expect(scans).toEqual([])
  })

  it("refunds in a batch still find their parent, by id and by reference", async () => {
    const wallet = await service.createAccount({ name: "Wallet", currency_code: "usd", initial_amount: "100" })
    const paid = await service.redeem(wallet.id, 30)
    const refund = (parent: string, amount: string) => posting({ kind: "refund", parent, amount })
    let rows: any[] = []
    const plans = await explained(async (ctx) => {
      rows = await ctx.manager.execute(`SELECT * FROM ledger_post_many(?::jsonb, false)`, [
        JSON.stringify([refund(paid.reference, "10"), refund(paid.id, "5")]),
      ])
      expect((await service.getAccount(wallet.id, ctx)).balance).toBe("85.00")
    })
    expect(rows.map((r) => [r.error_state, r.source_id, r.destination_id])).toEqual([
      [null, "acc_sys_usd_redemptions", wallet.id],
      [null, "acc_sys_usd_redemptions", wallet.id],
    ])
    const locking = lockStatement(plans)
    expect(locking.length).toBe(1)
    expect(reads(locking[0].plan, "ledger_transfer").filter((r) => r.loops > 0).length).toBeGreaterThan(0)
  })
})
