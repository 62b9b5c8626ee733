import { Button, toast } from "@medusajs/ui"
import { useState } from "react"
import { downloadCsv } from "../lib/api"

/** "Export CSV" of what the page shows, rendered by the route itself (`format=csv`). */
export const CsvButton = ({ path, query, name, label = "Export CSV" }: { path: string; query: Record<string, any>; name: string; label?: string }) => {
  const [busy, setBusy] = useState(false)
  const { limit, offset, ...filters } = query
  return (
    <Button
      size="small"
      variant="secondary"
      isLoading={busy}
      data-testid="export-csv"
      onClick={async () => {
        setBusy(true)
        try {
          await downloadCsv(path, filters, name)
        } catch (e) {
          toast.error((e as Error).message)
        } finally {
          setBusy(false)
        }
      }}
    >
      {label}
    </Button>
  )
}
