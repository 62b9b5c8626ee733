import type { Client } from "pg"

/** A plan as EXPLAIN's JSON form gives it (the fields the plan tests read). */
export type PlanNode = {
  "Node Type": string
  "Relation Name"?: string
  "Actual Loops"?: number
  Plans?: PlanNode[]
}

/** Every node of a plan, the plan itself first. */
export function planNodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(planNodes)]
}

/** The tables a plan reads sequentially, of those `watched` names. */
export function seqScans(plan: PlanNode, watched: (table: string) => boolean): string[] {
  return planNodes(plan)
    .filter((n) => n["Node Type"] === "Seq Scan" && watched(n["Relation Name"] ?? ""))
    .map((n) => n["Relation Name"]!)
}

/**
 * Turns auto_explain on for this connection, nested statements included (what runs inside
 * the ledger's functions), its plans sent back as notices; returns the list they are added
 * to, each with its statement's text. `analyze` adds what each plan node did (how often it ran).
 */
export async function watchPlans(client: Client, { analyze = false } = {}) {
  const plans: { text: string; plan: PlanNode }[] = []
  client.on("notice", (n: any) => {
    const message = String(n.message ?? "")
    const at = message.indexOf("{")
    if (message.includes("plan:") && at >= 0) {
      const json = JSON.parse(message.slice(at))
      plans.push({ text: json["Query Text"] ?? "", plan: json.Plan })
    }
  })
  await client.query(`LOAD 'auto_explain'`)
  for (const set of [
    "auto_explain.log_min_duration = 0",
    "auto_explain.log_nested_statements = on",
    ...(analyze ? ["auto_explain.log_analyze = on", "auto_explain.log_timing = off"] : []),
    "auto_explain.log_format = json",
    "auto_explain.log_level = notice",
    "client_min_messages = notice",
  ]) {
    await client.query(`SET ${set}`)
  }
  return plans
}
