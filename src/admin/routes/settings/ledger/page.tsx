import { defineRouteConfig } from "@medusajs/admin-sdk"
import { Button, Input, StatusBadge, Table, Text, toast } from "@medusajs/ui"
import { useState } from "react"
import { Link } from "react-router-dom"
import { ImportBalances } from "../../../components/import-balances"
import { LoadState, Section } from "../../../components/section"
import { useAccountTypes, useLedgerPost } from "../../../hooks/use-accounts"
import { ReconciliationFix, ReconciliationGap, useGuardClients, useLastChecks, useRunReconciliation, useVerify } from "../../../hooks/use-ledger-settings"
import { typeTree } from "../../../lib/account-types"
import { errorSentence } from "../../../lib/errors"
import { countOf, formatDate } from "../../../lib/format"
import type { AccountType } from "../../../lib/types"

/** An offending row of a verify check, with links to what it names. */
const Offender = ({ row }: { row: Record<string, unknown> }) => (
  <div className="flex flex-wrap gap-x-3">
    {Object.entries(row).map(([k, v]) => (
      <Text key={k} size="xsmall" className="font-mono">
        {k}:{" "}
        {typeof v === "string" && v.startsWith("acc_") ? (
          <Link className="text-ui-fg-interactive" to={`/accounts/${v}`}>
            {v}
          </Link>
        ) : typeof v === "string" && v.startsWith("TR") ? (
          <Link className="text-ui-fg-interactive" to={`/accounts/transfers/${encodeURIComponent(v)}`}>
            {v}
          </Link>
        ) : (
          String(v)
        )}
      </Text>
    ))}
  </div>
)

const Verify = () => {
  const { data, isLoading, error, refetch, isFetching } = useVerify()
  return (
    <Section
      title="Ledger checks"
      subtitle={data ? `Last run ${formatDate(data.checked_at, true)}` : "Every invariant of the ledger, checked against the entries."}
      testId="verify"
      actions={
        <Button size="small" variant="secondary" onClick={() => refetch()} isLoading={isFetching} data-testid="verify-run">
          Run again
        </Button>
      }
    >
      <LoadState isLoading={isLoading} error={error}>
        {data ? (
          <>
            <div className="px-6 py-3">
              <StatusBadge color={data.ok ? "green" : "red"} data-testid="verify-status">
                {data.ok ? "All checks pass" : "Some checks fail"}
              </StatusBadge>
            </div>
            <Table>
              <Table.Body>
                {data.checks.map((c) => (
                  <Table.Row key={c.name}>
                    <Table.Cell className="w-1/2">
                      <Text size="small">{c.description || c.name}</Text>
                    </Table.Cell>
                    <Table.Cell>
                      {c.ok ? (
                        <StatusBadge color="green">OK</StatusBadge>
                      ) : (
                        <div className="flex flex-col gap-y-1 py-2">
                          <StatusBadge color="red">Fails</StatusBadge>
                          {c.offending.slice(0, 20).map((r, i) => (
                            <Offender key={i} row={r} />
                          ))}
                        </div>
                      )}
                    </Table.Cell>
                  </Table.Row>
                ))}
              </Table.Body>
            </Table>
          </>
        ) : null}
      </LoadState>
    </Section>
  )
}

const GAP_LABELS: Record<string, string> = {
  allocation_capture: "store credit not captured",
  gift_card_issue: "gift card not issued",
  payment_capture: "account payment capture not posted",
  payment_refund: "account payment refund not posted",
  payment_release: "canceled payment still held",
  allocation_release: "canceled order still held",
  allocation_reversal: "canceled order not returned",
  gift_card_void: "gift card of a canceled order not voided",
}

const Gap = ({ gap }: { gap: ReconciliationGap }) => (
  <Text size="xsmall">
    {GAP_LABELS[gap.kind] ?? gap.kind}
    {gap.amount ? ` (${gap.amount})` : ""}
  </Text>
)

const Fix = ({ fix }: { fix: ReconciliationFix }) =>
  fix.kind === "transfer" ? (
    <Text size="xsmall">
      {fix.transfer_kind} {fix.amount}{" "}
      <Link className="text-ui-fg-interactive font-mono" to={`/accounts/transfers/${encodeURIComponent(fix.reference ?? "")}`}>
        {fix.reference}
      </Link>
    </Text>
  ) : (
    <Text size="xsmall">
      {fix.kind === "hold_released" ? "hold released" : fix.kind === "gift_card_issued" ? "gift card issued" : "gift card voided"}{" "}
      {fix.account_id ? (
        <Link className="text-ui-fg-interactive font-mono" to={`/accounts/${fix.account_id}`}>
          {fix.account_id}
        </Link>
      ) : null}
    </Text>
  )

/**
 * The last reconciliation sweep (Medusa's captures, refunds and cancellations against the
 * ledger's postings) with what it found missing and posted, **Run now**, and the last
 * scheduled verify() run.
 */
const Reconciliation = () => {
  const { data, isLoading, error } = useLastChecks()
  const run = useRunReconciliation()
  const last = data?.reconciliation
  const report = last?.report
  const verify = data?.verify
  return (
    <Section
      title="Reconciliation"
      subtitle={
        last
          ? `Last sweep ${formatDate(last.started_at, true)}, over the last ${countOf(report?.days ?? 0, "day")}`
          : "The sweep compares Medusa's captures, refunds and canceled orders with the ledger and posts what is missing."
      }
      testId="reconciliation"
      actions={
        <Button
          size="small"
          variant="secondary"
          isLoading={run.isPending}
          data-testid="reconciliation-run"
          onClick={async () => {
            try {
              const { run: done } = await run.mutateAsync({})
              toast.success(done.report.orders.length ? `Sweep repaired ${countOf(done.report.orders.length, "order")}` : "Nothing was missing")
            } catch (e) {
              toast.error(errorSentence(e))
            }
          }}
        >
          Run now
        </Button>
      }
    >
      <LoadState isLoading={isLoading} error={error}>
        <div className="flex flex-wrap items-center gap-x-3 gap-y-2 px-6 py-3">
          {report ? (
            <>
              <StatusBadge color={report.ok ? (report.orders.length ? "orange" : "green") : "red"} data-testid="reconciliation-status">
                {!report.ok ? "Still out of step" : report.orders.length ? `Repaired ${countOf(report.fixed, "order")}` : "In step"}
              </StatusBadge>
              <Text size="small" className="text-ui-fg-subtle" data-testid="reconciliation-checked">
                Checked {countOf(report.checked.orders, "order")}: {countOf(report.checked.captures, "capture")},{" "}
                {countOf(report.checked.refunds, "refund")}, {report.checked.canceled_orders} canceled
              </Text>
            </>
          ) : (
            <Text size="small" className="text-ui-fg-muted">
              No sweep has run yet.
            </Text>
          )}
        </div>
        {report?.orders.length ? (
          <Table>
            <Table.Header>
              <Table.Row>
                <Table.HeaderCell>Order</Table.HeaderCell>
                <Table.HeaderCell>Missing</Table.HeaderCell>
                <Table.HeaderCell>Posted</Table.HeaderCell>
              </Table.Row>
            </Table.Header>
            <Table.Body>
              {report.orders.map((o) => (
                <Table.Row key={o.order_id} data-testid="reconciliation-order">
                  <Table.Cell>
                    <Link className="text-ui-fg-interactive" to={`/orders/${o.order_id}`}>
                      {o.display_id ? `#${o.display_id}` : o.order_id}
                    </Link>
                    {o.canceled ? <Text size="xsmall" className="text-ui-fg-muted">canceled</Text> : null}
                  </Table.Cell>
                  <Table.Cell>
                    <div className="flex flex-col py-2">
                      {o.missing.map((g, i) => (
                        <Gap key={i} gap={g} />
                      ))}
                    </div>
                  </Table.Cell>
                  <Table.Cell>
                    <div className="flex flex-col py-2">
                      {o.posted.map((f, i) => (
                        <Fix key={i} fix={f} />
                      ))}
                      {o.error || o.remaining.length ? (
                        <StatusBadge color="red">{o.error ?? `${o.remaining.length} still missing`}</StatusBadge>
                      ) : null}
                    </div>
                  </Table.Cell>
                </Table.Row>
              ))}
            </Table.Body>
          </Table>
        ) : null}
        <div className="flex flex-wrap items-center gap-x-3 px-6 py-3" data-testid="scheduled-verify">
          <Text size="small" weight="plus">
            Scheduled checks
          </Text>
          {verify ? (
            <>
              <StatusBadge color={verify.ok ? "green" : "red"} data-testid="scheduled-verify-status">
                {verify.ok ? "All checks passed" : "Some checks failed"}
              </StatusBadge>
              <Text size="small" className="text-ui-fg-subtle">
                {formatDate(verify.started_at, true)}
                {verify.ok
                  ? ""
                  : `: ${verify.report.checks.filter((c) => !c.ok).map((c) => c.description || c.name).join(", ")}`}
              </Text>
            </>
          ) : (
            <Text size="small" className="text-ui-fg-muted">
              Not run yet.
            </Text>
          )}
        </div>
      </LoadState>
    </Section>
  )
}

const TypeRow = ({ type, depth }: { type: AccountType; depth: number }) => {
  const [mode, setMode] = useState<"view" | "rename" | "child">("view")
  const [name, setName] = useState("")
  const rename = useLedgerPost<{ name: string }>(`/admin/account-types/${type.id}`)
  const create = useLedgerPost<{ name: string; parent_id: string }>("/admin/account-types")
  const save = async () => {
    try {
      if (mode === "rename") await rename.mutateAsync({ name: name.trim() })
      else await create.mutateAsync({ name: name.trim(), parent_id: type.id })
      toast.success(mode === "rename" ? "Type renamed" : "Type added")
      setMode("view")
    } catch (e) {
      toast.error(errorSentence(e))
    }
  }
  return (
    <Table.Row>
      <Table.Cell>
        <span style={{ paddingLeft: `${depth * 1.25}rem` }}>{type.name}</span>
        <Text size="xsmall" className="text-ui-fg-muted font-mono" style={{ paddingLeft: `${depth * 1.25}rem` }}>
          {type.code}
        </Text>
      </Table.Cell>
      <Table.Cell>{type.account_count ?? "—"}</Table.Cell>
      <Table.Cell>
        {mode === "view" ? (
          <div className="flex gap-x-2">
            <Button size="small" variant="transparent" onClick={() => { setName(type.name); setMode("rename") }}>
              Rename
            </Button>
            <Button size="small" variant="transparent" onClick={() => { setName(""); setMode("child") }}>
              Add child type
            </Button>
          </div>
        ) : (
          <div className="flex items-center gap-x-2">
            <Input size="small" autoFocus placeholder={mode === "rename" ? "New name" : "Child type name"} value={name} onChange={(e) => setName(e.target.value)} />
            <Button size="small" onClick={save} disabled={!name.trim()} isLoading={rename.isPending || create.isPending}>
              Save
            </Button>
            <Button size="small" variant="secondary" onClick={() => setMode("view")}>
              Cancel
            </Button>
          </div>
        )}
      </Table.Cell>
    </Table.Row>
  )
}

const Types = () => {
  const { data, isLoading, error } = useAccountTypes()
  return (
    <Section title="Account types" subtitle="The chart of accounts. Customer accounts live under Deferred income." testId="account-types">
      <LoadState isLoading={isLoading} error={error}>
        <Table>
          <Table.Header>
            <Table.Row>
              <Table.HeaderCell>Type</Table.HeaderCell>
              <Table.HeaderCell>Accounts</Table.HeaderCell>
              <Table.HeaderCell />
            </Table.Row>
          </Table.Header>
          <Table.Body>
            {typeTree(data?.account_types ?? []).map((t) => (
              <TypeRow key={t.id} type={t} depth={t.depth} />
            ))}
          </Table.Body>
        </Table>
      </LoadState>
    </Section>
  )
}

const CodeGuard = () => {
  const { data, isLoading, error } = useGuardClients()
  const clear = useLedgerPost<{ client: string }>("/admin/ledger/code-guard/clear")
  const clients = data?.clients ?? []
  return (
    <Section title="Code guard" subtitle="Clients that typed too many wrong gift-card codes are cooled off, then blocked." testId="code-guard">
      <LoadState isLoading={isLoading} error={error} empty={!clients.length && "No client is cooling off or blocked."}>
        <Table>
          <Table.Header>
            <Table.Row>
              <Table.HeaderCell>Client</Table.HeaderCell>
              <Table.HeaderCell>State</Table.HeaderCell>
              <Table.HeaderCell>Failures</Table.HeaderCell>
              <Table.HeaderCell>Last failure</Table.HeaderCell>
              <Table.HeaderCell />
            </Table.Row>
          </Table.Header>
          <Table.Body>
            {clients.map((c) => (
              <Table.Row key={c.client} data-testid="guard-client">
                <Table.Cell className="font-mono text-xs">{c.client}</Table.Cell>
                <Table.Cell>{c.blocked ? (
                    <StatusBadge color="red">Blocked{c.blocked_until ? ` until ${formatDate(c.blocked_until, true)}` : ""}</StatusBadge>
                  ) : c.cooling ? (
                    <StatusBadge color="orange">Cooling off until {formatDate(c.cooling_until, true)}</StatusBadge>
                  ) : (
                    "—"
                  )}</Table.Cell>
                <Table.Cell>{c.total_failures}</Table.Cell>
                <Table.Cell>{formatDate(c.last_failure_at, true)}</Table.Cell>
                <Table.Cell>
                  <Button
                    size="small"
                    variant="secondary"
                    data-testid="guard-clear"
                    onClick={async () => {
                      try {
                        await clear.mutateAsync({ client: c.client })
                        toast.success("Client cleared")
                      } catch (e) {
                        toast.error(errorSentence(e))
                      }
                    }}
                  >
                    Clear
                  </Button>
                </Table.Cell>
              </Table.Row>
            ))}
          </Table.Body>
        </Table>
      </LoadState>
    </Section>
  )
}

const LedgerSettingsPage = () => (
  <div className="flex flex-col gap-y-3">
    <Verify />
    <Reconciliation />
    <Types />
    <CodeGuard />
    <ImportBalances />
  </div>
)

export const config = defineRouteConfig({ label: "Ledger" })

export default LedgerSettingsPage
