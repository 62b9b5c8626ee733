import type { DataTableFilteringState, DataTablePaginationState, DataTableSortingState } from "@medusajs/ui"
import { useMemo, useState } from "react"

/**
 * Server-side paging, sorting, search and filters for a DataTable, turned into the query
 * parameters the ledger's list routes take (`limit`, `offset`, `order=-balance`, `q`, …).
 * `toQuery` maps each filter's value to its parameters.
 */
export function useTableState(pageSize: number, toQuery: (filtering: DataTableFilteringState) => Record<string, any> = (f) => f, initialSort?: DataTableSortingState) {
  const [pagination, setPagination] = useState<DataTablePaginationState>({ pageIndex: 0, pageSize })
  const [sorting, setSorting] = useState<DataTableSortingState | null>(initialSort ?? null)
  const [search, setSearch] = useState("")
  const [filtering, setFiltering] = useState<DataTableFilteringState>({})

  const query = useMemo(() => {
    const q: Record<string, any> = {
      limit: pagination.pageSize,
      offset: pagination.pageIndex * pagination.pageSize,
      ...toQuery(filtering),
    }
    if (search.trim()) q.q = search.trim()
    if (sorting) q.order = `${sorting.desc ? "-" : ""}${sorting.id}`
    return q
  }, [pagination, sorting, search, filtering])

  // A new search or filter starts again from the first page.
  const reset = <T,>(set: (v: T) => void) => (v: T) => {
    set(v)
    setPagination((p) => ({ ...p, pageIndex: 0 }))
  }

  return {
    query,
    table: {
      pagination: { state: pagination, onPaginationChange: setPagination },
      sorting: { state: sorting, onSortingChange: setSorting },
      search: { state: search, onSearchChange: reset(setSearch), debounce: 300 },
      filtering: { state: filtering, onFilteringChange: reset(setFiltering) },
    },
  }
}

/** A DataTable date filter's `{ $gte, $lte, … }` as query parameters named `name[$gte]`. */
export function dateRange(name: string, value: unknown): Record<string, string> {
  if (!value || typeof value !== "object") return {}
  const out: Record<string, string> = {}
  for (const [op, v] of Object.entries(value as Record<string, unknown>)) {
    if (v) out[`${name}[${op}]`] = new Date(v as string).toISOString()
  }
  return out
}
