import { DataTable, Text, createDataTableColumnHelper, createDataTableFilterHelper, useDataTable, type DataTableFilteringState } from "@medusajs/ui"
import { useMemo } from "react"
import { useNavigate } from "react-router-dom"
import { useAccounts, useAccountTypes } from "../hooks/use-accounts"
import { useStoreCurrencies } from "../hooks/use-store-currencies"
import { dateRange, useTableState } from "../hooks/use-table-state"
import { typeTree } from "../lib/account-types"
import { formatDate, formatMoney, maskCode } from "../lib/format"
import type { Account } from "../lib/types"
import { AccountStatusBadge } from "./account-status-badge"
import { CsvButton } from "./csv-button"

const column = createDataTableColumnHelper<Account>()
const filter = createDataTableFilterHelper<Account>()

const ownerOf = (a: Account) => a.customer?.email ?? (a.customer_id ? a.customer_id : a.role ? "Store" : (a.metadata?.recipient_email as string) ?? "—")

function filtersToQuery(f: DataTableFilteringState): Record<string, any> {
  const q: Record<string, any> = {}
  if (Array.isArray(f.status) && f.status.length) q.status = f.status
  if (Array.isArray(f.type_id) && f.type_id.length) q.account_type_id = f.type_id
  if (Array.isArray(f.currency_code) && f.currency_code.length) q.currency_code = f.currency_code
  if (typeof f.role === "string") q.is_core = f.role === "core"
  if (typeof f.balance === "string") q.has_balance = f.balance === "yes"
  if (f.end_date && typeof f.end_date === "object" && (f.end_date as any).$lte) q.ends_before = new Date((f.end_date as any).$lte).toISOString()
  Object.assign(q, dateRange("created_at", f.created_at))
  return q
}

/**
 * Every account, or only gift cards: server-side paging, sorting, search (name, code
 * with or without dashes, owner email) and filters; a row opens the account.
 */
export const AccountsTable = ({ giftCards = false, actions }: { giftCards?: boolean; actions?: React.ReactNode }) => {
  const navigate = useNavigate()
  const types = useAccountTypes()
  const currencies = useStoreCurrencies()
  const { query, table } = useTableState(20, filtersToQuery, { id: "created_at", desc: true })
  const listQuery = giftCards ? { ...query, is_gift_card: true } : query
  const { data, isLoading, error } = useAccounts(listQuery)

  const columns = useMemo(
    () => [
      column.accessor("name", { header: "Name", enableSorting: true, sortLabel: "Name" }),
      column.accessor("code", { header: "Code", cell: ({ getValue, row }) => (giftCards || row.original.code ? maskCode(getValue()) : "—") }),
      ...(giftCards
        ? [column.accessor("initial_amount", { header: "Initial value", cell: ({ getValue, row }) => formatMoney(getValue(), row.original.currency_code) })]
        : [column.accessor("type.name", { header: "Type", cell: ({ getValue }) => getValue() ?? "—" })]),
      column.display({ id: "owner", header: "Owner", cell: ({ row }) => ownerOf(row.original) }),
      column.accessor("status", { header: "Status", cell: ({ getValue }) => <AccountStatusBadge status={getValue()} /> }),
      column.accessor("balance", {
        header: "Balance",
        enableSorting: true,
        sortLabel: "Balance",
        cell: ({ getValue, row }) => <span className="tabular-nums">{formatMoney(getValue(), row.original.currency_code)}</span>,
      }),
      column.accessor("available", { header: "Available", cell: ({ getValue, row }) => (getValue() === null ? "Unlimited" : formatMoney(getValue(), row.original.currency_code)) }),
      column.accessor("held", { header: "Held", cell: ({ getValue, row }) => formatMoney(getValue(), row.original.currency_code) }),
      column.accessor("end_date", { header: giftCards ? "Expires" : "Ends", enableSorting: true, sortLabel: "End date", cell: ({ getValue }) => formatDate(getValue()) }),
      ...(giftCards
        ? [column.accessor("issued_by_order_id", { header: "Issued by order", cell: ({ getValue }) => (getValue() ? <span className="font-mono text-xs">{getValue()}</span> : "—") })]
        : [column.accessor("transfer_count", { header: "Transfers", cell: ({ getValue, row }) => (getValue() === undefined ? "—" : `${getValue()}${row.original.transfer_count_capped ? "+" : ""}`) })]),
      column.accessor("created_at", { header: "Created", enableSorting: true, sortLabel: "Created", cell: ({ getValue }) => formatDate(getValue()) }),
    ],
    [giftCards]
  )

  const filters = useMemo(
    () => [
      filter.accessor("status", {
        type: "select",
        label: "Status",
        options: [
          { label: "Open", value: "open" },
          { label: "Frozen", value: "frozen" },
          { label: "Closed", value: "closed" },
        ],
      }),
      ...(giftCards
        ? []
        : [
            filter.accessor("type_id", {
              type: "select",
              label: "Type",
              options: typeTree(types.data?.account_types ?? []).map((t) => ({ label: `${"· ".repeat(t.depth)}${t.name}`, value: t.id })),
            }),
            filter.accessor("role", {
              type: "radio",
              label: "Core account",
              options: [
                { label: "Core accounts only", value: "core" },
                { label: "Customer accounts only", value: "customer" },
              ],
            }),
          ]),
      filter.accessor("currency_code", {
        type: "select",
        label: "Currency",
        options: (currencies.data ?? []).map((c) => ({ label: c.toUpperCase(), value: c })),
      }),
      filter.accessor("balance", {
        type: "radio",
        label: "Balance",
        options: [
          { label: "Has a balance", value: "yes" },
          { label: "Empty", value: "no" },
        ],
      }),
      filter.accessor("end_date", { type: "date", label: "Ends before", format: "date", options: [], disableRangeOption: true }),
      filter.accessor("created_at", { type: "date", label: "Created", format: "date", options: [] }),
    ],
    [types.data, currencies.data, giftCards]
  )

  const instance = useDataTable({
    data: data?.accounts ?? [],
    columns,
    filters,
    rowCount: data?.count ?? 0,
    getRowId: (a) => a.id,
    isLoading,
    onRowClick: (_, row) => navigate(`/accounts/${row.id}`),
    ...table,
  })

  return (
    <DataTable instance={instance}>
      <DataTable.Toolbar className="flex flex-col items-start justify-between gap-2 md:flex-row md:items-center">
        <div className="flex items-center gap-x-2">
          {actions}
          <CsvButton path="/admin/accounts" query={listQuery} name={giftCards ? "gift-cards.csv" : "accounts.csv"} />
        </div>
        <div className="flex gap-2">
          <DataTable.FilterMenu tooltip="Filter" />
          <DataTable.SortingMenu tooltip="Sort" />
          <DataTable.Search placeholder={giftCards ? "Search by code or owner" : "Search name, code or owner email"} />
        </div>
      </DataTable.Toolbar>
      {error ? (
        <Text size="small" className="text-ui-fg-error px-6 py-4" role="alert">
          {(error as Error).message}
        </Text>
      ) : null}
      <DataTable.Table
        emptyState={{
          empty: { heading: giftCards ? "No gift cards yet" : "No accounts yet", description: giftCards ? "Issue one with the button above." : "Create one with the button above." },
          filtered: { heading: "No results", description: "No account matches these filters." },
        }}
      />
      <DataTable.Pagination />
    </DataTable>
  )
}
