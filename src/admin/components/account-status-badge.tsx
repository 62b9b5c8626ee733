import { StatusBadge } from "@medusajs/ui"
import type { AccountStatus } from "../lib/types"

const COLOR = { open: "green", frozen: "blue", closed: "grey" } as const
const LABEL = { open: "Open", frozen: "Frozen", closed: "Closed" } as const

export const AccountStatusBadge = ({ status }: { status: AccountStatus }) => (
  <StatusBadge color={COLOR[status] ?? "grey"}>{LABEL[status] ?? status}</StatusBadge>
)
