import { Input, Table, Text } from "@medusajs/ui"
import { useState } from "react"
import { Link } from "react-router-dom"
import { useStatement } from "../hooks/use-accounts"
import { formatDate, formatMoney, isNegative } from "../lib/format"
import type { StatementLine } from "../lib/types"
import { LoadState, Section } from "./section"

const PAGE = 20
const KIND: Record<string, string> = {
  transfer: "Transfer",
  load: "Load",
  redemption: "Redemption",
  capture: "Capture",
  refund: "Refund",
  reversal: "Reversal",
  expiry: "Expiry",
}
export const kindLabel = (kind: string) => KIND[kind] ?? kind

const LOT_VERB: Record<string, string> = { credit: "new", open: "opening", return: "back to", spend: "from", capture: "from", take: "from", lapse: "lapsed" }

/** "from 20.00 (expires 31 Jan), from 5.00 (never expires)": what a line did to the lots. */
function lotsSummary(uses: NonNullable<StatementLine["lots"]>, currency: string) {
  return uses
    .map((u) => `${LOT_VERB[u.kind] ?? u.kind} ${formatMoney(u.amount, currency)} (${u.expires_at ? `expires ${formatDate(u.expires_at)}` : "no expiry"})`)
    .join(", ")
}

/** The account's statement: newest first, running balance, each line linked to its transfer and order. */
export const StatementTable = ({ accountId, currency }: { accountId: string; currency: string }) => {
  const [page, setPage] = useState(0)
  const [from, setFrom] = useState("")
  const [to, setTo] = useState("")
  const query = {
    limit: PAGE,
    offset: page * PAGE,
    ...(from ? { from: new Date(from).toISOString() } : {}),
    ...(to ? { to: new Date(`${to}T23:59:59.999`).toISOString() } : {}),
  }
  const { data, isLoading, error } = useStatement(accountId, query)
  const pages = Math.max(1, Math.ceil((data?.count ?? 0) / PAGE))
  return (
    <Section
      title="Statement"
      testId="statement"
      actions={
        <div className="flex items-center gap-x-2">
          <Input size="small" type="date" aria-label="From" value={from} onChange={(e) => { setFrom(e.target.value); setPage(0) }} />
          <Text size="small">–</Text>
          <Input size="small" type="date" aria-label="To" value={to} onChange={(e) => { setTo(e.target.value); setPage(0) }} />
        </div>
      }
    >
      <LoadState isLoading={isLoading} error={error} empty={!data?.entries.length && "No entries in this period."}>
        <Table>
          <Table.Header>
            <Table.Row>
              <Table.HeaderCell>Date</Table.HeaderCell>
              <Table.HeaderCell>Kind</Table.HeaderCell>
              <Table.HeaderCell>Description</Table.HeaderCell>
              <Table.HeaderCell>Transfer</Table.HeaderCell>
              <Table.HeaderCell>Order</Table.HeaderCell>
              <Table.HeaderCell className="text-right">Amount</Table.HeaderCell>
              <Table.HeaderCell className="text-right">Balance</Table.HeaderCell>
            </Table.Row>
          </Table.Header>
          <Table.Body>
            {data?.entries.map((e) => (
              <Table.Row key={e.id} data-testid="statement-line">
                <Table.Cell>{formatDate(e.created_at, true)}</Table.Cell>
                <Table.Cell>{kindLabel(e.kind)}</Table.Cell>
                <Table.Cell className="max-w-[16rem]">
                  <div className="truncate">{e.description ?? "—"}</div>
                  {e.lots?.length ? (
                    <div className="text-ui-fg-muted truncate text-xs" data-testid="line-lots">
                      {lotsSummary(e.lots, currency)}
                    </div>
                  ) : null}
                </Table.Cell>
                <Table.Cell>
                  <Link className="text-ui-fg-interactive font-mono text-xs" to={`/accounts/transfers/${encodeURIComponent(e.reference)}`}>
                    {e.reference}
                  </Link>
                </Table.Cell>
                <Table.Cell>
                  {e.merchant_reference?.startsWith("order_") ? (
                    <Link className="text-ui-fg-interactive font-mono text-xs" to={`/orders/${e.merchant_reference}`}>
                      {e.merchant_reference.slice(-8)}
                    </Link>
                  ) : (
                    e.merchant_reference ?? "—"
                  )}
                </Table.Cell>
                <Table.Cell className={`text-right tabular-nums ${isNegative(e.amount) ? "text-ui-fg-error" : ""}`} data-testid="line-amount">
                  {formatMoney(e.amount, currency)}
                </Table.Cell>
                <Table.Cell className="text-right tabular-nums" data-testid="line-balance">
                  {formatMoney(e.balance_after, currency)}
                </Table.Cell>
              </Table.Row>
            ))}
          </Table.Body>
        </Table>
        <Table.Pagination
          count={data?.count ?? 0}
          pageSize={PAGE}
          pageIndex={page}
          pageCount={pages}
          canPreviousPage={page > 0}
          canNextPage={page + 1 < pages}
          previousPage={() => setPage((p) => p - 1)}
          nextPage={() => setPage((p) => p + 1)}
        />
      </LoadState>
    </Section>
  )
}
