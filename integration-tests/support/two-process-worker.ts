/**
 * One of the two processes of integration-tests/modules/two-processes.spec.ts. Loads the
 * ledger module on LEDGER_DB_URL, then runs the phases named in LEDGER_WORKER_PLAN, each
 * only when the parent says "go <phase>" on stdin (so both processes start a phase
 * together). Reports on stdout as lines `@@ledger {json}`.
 *
 *   node -r ts-node/register/transpile-only integration-tests/support/two-process-worker.ts
 */
import readline from "readline"
import { loadLedger } from "./standalone-ledger"

type Plan = {
  worker: string
  /** (a) debit this account `count` times `amount`, all at once */
  debit: { account: string; amount: string; count: number }
  /** (b) redeem into the sales account from `accounts`, `perAccount` times each, one loop per account */
  credit: { accounts: string[]; amounts: string[] }
  /** (c) redeem `amount` from `account` once per key, all at once */
  keyed: { account: string; amount: string; keys: string[] }
}

const say = (msg: Record<string, unknown>) => process.stdout.write(`@@ledger ${JSON.stringify(msg)}\n`)

function ledgerCode(e: any): string {
  if (e && e.name === "LedgerError" && typeof e.code === "string") return e.code
  throw e
}

async function main() {
  const plan: Plan = JSON.parse(process.env.LEDGER_WORKER_PLAN!)
  const { service, shutdown } = await loadLedger(process.env.LEDGER_DB_URL!, {
    options: { currencies: ["usd"] },
    poolMax: Number(process.env.LEDGER_POOL_MAX ?? 12),
  })

  const gates = new Map<string, () => void>()
  const waits = new Map<string, Promise<void>>()
  for (const phase of ["debit", "credit", "keyed"]) {
    waits.set(phase, new Promise<void>((resolve) => gates.set(phase, resolve)))
  }
  readline.createInterface({ input: process.stdin }).on("line", (line) => {
    const [cmd, phase] = line.trim().split(" ")
    if (cmd === "go") gates.get(phase)?.()
  })
  const phase = async (name: string, run: () => Promise<Record<string, unknown>>) => {
    say({ type: "ready", phase: name })
    await waits.get(name)
    const started = Date.now()
    const result = await run()
    say({ type: "result", phase: name, ms: Date.now() - started, ...result })
  }

  try {
    await phase("debit", async () => {
      const settled = await Promise.allSettled(
        Array.from({ length: plan.debit.count }, () => service.redeem(plan.debit.account, plan.debit.amount))
      )
      const ids: string[] = []
      const codes: string[] = []
      for (const r of settled) {
        if (r.status === "fulfilled") ids.push(r.value.id)
        else codes.push(ledgerCode(r.reason))
      }
      return { ids, codes }
    })

    await phase("credit", async () => {
      const ids: string[] = []
      await Promise.all(
        plan.credit.accounts.map(async (account) => {
          for (const amount of plan.credit.amounts) {
            ids.push((await service.redeem(account, amount)).id)
          }
        })
      )
      return { count: ids.length }
    })

    await phase("keyed", async () => {
      const settled = await Promise.allSettled(
        plan.keyed.keys.map((key) => service.redeem(plan.keyed.account, plan.keyed.amount, { idempotency_key: key }))
      )
      const byKey: Record<string, { id: string; replayed: boolean } | { code: string }> = {}
      settled.forEach((r, i) => {
        byKey[plan.keyed.keys[i]] = r.status === "fulfilled" ? { id: r.value.id, replayed: r.value.replayed } : { code: ledgerCode(r.reason) }
      })
      return { byKey }
    })
    say({ type: "done" })
  } finally {
    await shutdown()
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    say({ type: "error", message: String(e?.stack ?? e) })
    process.exit(1)
  }
)
