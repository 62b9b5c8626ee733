/** The shapes the plugin's admin routes answer with (money as exact decimal strings). */
export type Money = string

export type AccountStatus = "open" | "frozen" | "closed"

export interface Account {
  id: string
  name: string
  description: string | null
  code: string | null
  status: AccountStatus
  currency_code: string
  type_id: string | null
  type?: { id: string; name: string; code?: string; path?: string } | null
  credit_limit: Money | null
  balance: Money
  held: Money
  available: Money | null
  start_date: string | null
  end_date: string | null
  closed_at: string | null
  customer_id: string | null
  customer?: { id: string; email: string; first_name?: string | null; last_name?: string | null } | null
  members?: { customer_id: string }[]
  product_ids: string[] | null
  can_pay_shipping: boolean
  role: string | null
  transfer_count?: number
  transfer_count_capped?: boolean
  initial_amount?: Money | null
  issued_by_order_id?: string | null
  metadata: Record<string, unknown> | null
  created_at: string
}

export interface AccountType {
  id: string
  name: string
  code: string
  parent_id: string | null
  path?: string
  account_count?: number
}

export interface Transfer {
  id: string
  reference: string
  kind: string
  source_id: string
  destination_id: string
  amount: Money
  currency_code: string
  parent_id: string | null
  merchant_reference: string | null
  description: string | null
  actor_type: string
  actor_id: string | null
  authorised_by?: { type: "user" | "customer" | "api_key" | "system"; id: string | null; email?: string | null; title?: string | null } | null
  created_at: string
  entries?: { id: string; account_id: string; amount: Money; balance_after: Money | null }[]
  parent?: Transfer | null
  children?: Transfer[]
  refundable_amount?: Money
  source?: { id: string; name: string; code: string | null; role: string | null } | null
  destination?: { id: string; name: string; code: string | null; role: string | null } | null
}

export interface StatementLine {
  id: string
  transfer_id: string
  reference: string
  kind: string
  description: string | null
  merchant_reference: string | null
  counterparty_id: string
  amount: Money
  balance_after: Money
  created_at: string
  /** on an account that keeps lots: what this line put into or took from which lot */
  lots?: { lot_id: string; kind: string; amount: Money; expires_at: string | null }[]
}

export interface Hold {
  id: string
  amount: Money
  captured_amount: Money
  status: string
  expires_at: string | null
  reference: string | null
  reference_type?: "cart" | "order" | "payment_session" | null
  expired?: boolean
  currency_code?: string
  created_at?: string
}

export interface Page {
  count: number
  limit: number
  offset: number
}

/** A lot: the part of an account's balance one credit added, with its own expiry. */
export interface Lot {
  id: string
  amount: Money
  remaining: Money
  reserved: Money
  expires_at: string | null
  status: "active" | "expired" | "used"
  transfer_id: string | null
  transfer_reference: string | null
  created_at: string
}
