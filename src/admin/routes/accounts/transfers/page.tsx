import { defineRouteConfig } from "@medusajs/admin-sdk"
import { Container, DataTable, Heading, Text, createDataTableColumnHelper, createDataTableFilterHelper, useDataTable, type DataTableFilteringState } from "@medusajs/ui"
import { useMemo } from "react"
import { Link, useNavigate } from "react-router-dom"
import { CsvButton } from "../../../components/csv-button"
import { kindLabel } from "../../../components/statement-table"
import { useStoreCurrencies } from "../../../hooks/use-store-currencies"
import { dateRange, useTableState } from "../../../hooks/use-table-state"
import { useTransfers } from "../../../hooks/use-transfers"
import { formatDate, formatMoney } from "../../../lib/format"
import { authorisedBy } from "../../../lib/transfers"
import type { Transfer } from "../../../lib/types"

const column = createDataTableColumnHelper<Transfer>()
const filter = createDataTableFilterHelper<Transfer>()
const KINDS = ["transfer", "load", "redemption", "capture", "refund", "reversal", "expiry"]

function toQuery(f: DataTableFilteringState) {
  const q: Record<string, any> = {}
  if (Array.isArray(f.kind) && f.kind.length) q.kind = f.kind
  if (Array.isArray(f.currency_code) && f.currency_code.length) q.currency_code = f.currency_code
  if (typeof f.source_id === "string" && f.source_id) q.account_id = f.source_id.trim()
  if (typeof f.merchant_reference === "string" && f.merchant_reference) q.merchant_reference = f.merchant_reference.trim()
  Object.assign(q, dateRange("created_at", f.created_at))
  return q
}

const AccountLink = ({ id }: { id: string }) => (
  <Link className="text-ui-fg-interactive font-mono text-xs" to={`/accounts/${id}`} onClick={(e) => e.stopPropagation()}>
    {id.startsWith("acc_sys_") ? id.replace(/^acc_sys_[a-z]+_/, "").replace(/_/g, " ") : id.slice(-10)}
  </Link>
)

const TransfersPage = () => {
  const navigate = useNavigate()
  const currencies = useStoreCurrencies()
  const { query, table } = useTableState(20, toQuery, { id: "created_at", desc: true })
  const { data, isLoading, error } = useTransfers(query)

  const columns = useMemo(
    () => [
      column.accessor("reference", { header: "Reference", cell: ({ getValue }) => <span className="font-mono text-xs">{getValue()}</span> }),
      column.accessor("kind", { header: "Kind", cell: ({ getValue }) => kindLabel(getValue()) }),
      column.accessor("source_id", { header: "From", cell: ({ getValue }) => <AccountLink id={getValue()} /> }),
      column.accessor("destination_id", { header: "To", cell: ({ getValue }) => <AccountLink id={getValue()} /> }),
      column.accessor("amount", { header: "Amount", enableSorting: true, sortLabel: "Amount", cell: ({ getValue, row }) => formatMoney(getValue(), row.original.currency_code) }),
      column.accessor("merchant_reference", {
        header: "Order",
        cell: ({ getValue }) =>
          getValue()?.startsWith("order_") ? (
            <Link className="text-ui-fg-interactive font-mono text-xs" to={`/orders/${getValue()}`} onClick={(e) => e.stopPropagation()}>
              {getValue()!.slice(-8)}
            </Link>
          ) : (
            getValue() ?? "—"
          ),
      }),
      column.accessor("description", { header: "Description", cell: ({ getValue }) => getValue() ?? "—" }),
      column.display({ id: "authorised_by", header: "Authorised by", cell: ({ row }) => authorisedBy(row.original) }),
      column.accessor("created_at", { header: "Date", enableSorting: true, sortLabel: "Date", cell: ({ getValue }) => formatDate(getValue(), true) }),
    ],
    []
  )
  const filters = useMemo(
    () => [
      filter.accessor("kind", { type: "select", label: "Kind", options: KINDS.map((k) => ({ label: kindLabel(k), value: k })) }),
      filter.accessor("source_id", { type: "string", label: "Account id", placeholder: "acc_…" }),
      filter.accessor("merchant_reference", { type: "string", label: "Order or merchant reference", placeholder: "order_…" }),
      filter.accessor("currency_code", { type: "select", label: "Currency", options: (currencies.data ?? []).map((c) => ({ label: c.toUpperCase(), value: c })) }),
      filter.accessor("created_at", { type: "date", label: "Date", format: "date", options: [] }),
    ],
    [currencies.data]
  )
  const instance = useDataTable({
    data: data?.transfers ?? [],
    columns,
    filters,
    rowCount: data?.count ?? 0,
    getRowId: (t) => t.id,
    isLoading,
    onRowClick: (_, row) => navigate(`/accounts/transfers/${encodeURIComponent(row.reference)}`),
    ...table,
  })

  return (
    <Container className="divide-y p-0">
      <div className="flex items-center justify-between px-6 py-4">
        <div>
          <Heading level="h1">Transfers</Heading>
          <Text size="small" className="text-ui-fg-subtle">
            Every movement of money between accounts. Transfers are never edited: refunds and reversals are new transfers.
          </Text>
        </div>
      </div>
      <DataTable instance={instance}>
        <DataTable.Toolbar className="flex items-center justify-between gap-2">
          <CsvButton path="/admin/transfers" query={query} name="transfers.csv" />
          <div className="flex gap-2">
            <DataTable.FilterMenu tooltip="Filter" />
            <DataTable.SortingMenu tooltip="Sort" />
            <DataTable.Search placeholder="Reference, order or description" />
          </div>
        </DataTable.Toolbar>
        {error ? (
          <Text size="small" className="text-ui-fg-error px-6 py-4" role="alert">
            {(error as Error).message}
          </Text>
        ) : null}
        <DataTable.Table emptyState={{ empty: { heading: "No transfers yet" }, filtered: { heading: "No results", description: "No transfer matches these filters." } }} />
        <DataTable.Pagination />
      </DataTable>
    </Container>
  )
}

export const config = defineRouteConfig({ label: "Transfers", rank: 2 })

export default TransfersPage
