import { Badge, Copy, Table } from "@medusajs/ui"
import { Link } from "react-router-dom"
import { useAccount, useAccountOrders, useAccountTypes, useBalanceHistory, useHolds } from "../hooks/use-accounts"
import { isGiftCardType } from "../lib/account-types"
import { countOf, formatDate, formatMoney } from "../lib/format"
import type { Account } from "../lib/types"
import { AccountActions } from "./account-actions"
import { AccountLots } from "./account-lots"
import { AccountStatusBadge } from "./account-status-badge"
import { BalanceChart } from "./balance-chart"
import { KeyValues, LoadState, Section } from "./section"
import { StatementTable } from "./statement-table"

const CustomerLink = ({ id, label }: { id: string; label?: string | null }) => (
  <Link className="text-ui-fg-interactive" to={`/customers/${id}`}>
    {label ?? id}
  </Link>
)

const Summary = ({ account }: { account: Account }) => {
  const money = (v: string | null) => formatMoney(v, account.currency_code)
  return (
    <KeyValues
      rows={[
        ["Balance", <span data-testid="summary-balance">{money(account.balance)}</span>],
        ["Available", <span data-testid="summary-available">{account.available === null ? "Unlimited" : money(account.available)}</span>],
        ["Held", money(account.held)],
        ["Credit limit", account.credit_limit === null ? "Unlimited" : money(account.credit_limit)],
        ["Type", account.type?.name ?? "—"],
        ["Currency", account.currency_code.toUpperCase()],
        [
          "Code",
          account.code ? (
            <span className="flex items-center gap-x-1 font-mono" data-testid="summary-code">
              {account.code}
              <Copy content={account.code} />
            </span>
          ) : (
            "—"
          ),
        ],
        ["Owner", account.customer_id ? <CustomerLink id={account.customer_id} label={account.customer?.email} /> : account.role ? "Store (core account)" : "—"],
        [
          "Members",
          account.members?.length ? (
            <span className="flex flex-col">
              {account.members.map((m) => (
                <CustomerLink key={m.customer_id} id={m.customer_id} />
              ))}
            </span>
          ) : (
            "—"
          ),
        ],
        ["Starts", formatDate(account.start_date)],
        ["Ends", formatDate(account.end_date)],
        [
          "Restrictions",
          [
            account.product_ids?.length ? `Only ${countOf(account.product_ids.length, "product")}` : "Any product",
            account.can_pay_shipping ? "can pay shipping" : "cannot pay shipping",
          ].join(", "),
        ],
        ...(account.initial_amount ? ([["Initial value", money(account.initial_amount)]] as [string, string][]) : []),
        ...(account.issued_by_order_id
          ? ([["Issued by order", <Link className="text-ui-fg-interactive" to={`/orders/${account.issued_by_order_id}`}>{account.issued_by_order_id}</Link>]] as [string, JSX.Element][])
          : []),
        ["Description", account.description],
        ["Created", formatDate(account.created_at, true)],
      ]}
    />
  )
}

const Holds = ({ account }: { account: Account }) => {
  const { data, isLoading, error } = useHolds(account.id)
  return (
    <Section title="Open holds" testId="holds">
      <LoadState isLoading={isLoading} error={error} empty={!data?.holds.length && "No money is held."}>
        <Table>
          <Table.Header>
            <Table.Row>
              <Table.HeaderCell>Amount</Table.HeaderCell>
              <Table.HeaderCell>Reference</Table.HeaderCell>
              <Table.HeaderCell>Expires</Table.HeaderCell>
            </Table.Row>
          </Table.Header>
          <Table.Body>
            {data?.holds.map((h) => (
              <Table.Row key={h.id}>
                <Table.Cell>{formatMoney(h.amount, account.currency_code)}</Table.Cell>
                <Table.Cell>
                  {h.reference?.startsWith("order_") ? (
                    <Link className="text-ui-fg-interactive" to={`/orders/${h.reference}`}>
                      {h.reference}
                    </Link>
                  ) : (
                    <span className="font-mono text-xs">{h.reference ?? "—"}</span>
                  )}
                </Table.Cell>
                <Table.Cell>{formatDate(h.expires_at, true)}</Table.Cell>
              </Table.Row>
            ))}
          </Table.Body>
        </Table>
      </LoadState>
    </Section>
  )
}

const Orders = ({ account }: { account: Account }) => {
  const { data, isLoading, error } = useAccountOrders(account.id)
  return (
    <Section title="Orders it paid for" testId="account-orders">
      <LoadState isLoading={isLoading} error={error} empty={!data?.orders.length && "It has not paid for an order."}>
        <Table>
          <Table.Header>
            <Table.Row>
              <Table.HeaderCell>Order</Table.HeaderCell>
              <Table.HeaderCell>Paid on</Table.HeaderCell>
              <Table.HeaderCell className="text-right">Paid</Table.HeaderCell>
              <Table.HeaderCell className="text-right">Refunded</Table.HeaderCell>
            </Table.Row>
          </Table.Header>
          <Table.Body>
            {data?.orders.map((o) => (
              <Table.Row key={o.order_id}>
                <Table.Cell>
                  <Link className="text-ui-fg-interactive" to={`/orders/${o.order_id}`}>
                    {o.order?.display_id ? `#${o.order.display_id}` : o.order_id}
                  </Link>
                  {o.order?.email ? <span className="text-ui-fg-muted ml-2 text-xs">{o.order.email}</span> : null}
                </Table.Cell>
                <Table.Cell>{formatDate(o.last_paid_at)}</Table.Cell>
                <Table.Cell className="text-right">{formatMoney(o.paid, account.currency_code)}</Table.Cell>
                <Table.Cell className="text-right">{formatMoney(o.refunded, account.currency_code)}</Table.Cell>
              </Table.Row>
            ))}
          </Table.Body>
        </Table>
      </LoadState>
    </Section>
  )
}

const History = ({ account }: { account: Account }) => {
  const { data, isLoading, error } = useBalanceHistory(account.id)
  return (
    <Section title="Balance over time">
      <LoadState isLoading={isLoading} error={error}>
        <BalanceChart points={data?.points ?? []} currency={account.currency_code} />
      </LoadState>
    </Section>
  )
}

/** An account's page: summary and actions, balance chart, credit lots, statement, holds, orders. */
export const AccountDetail = ({ id }: { id: string }) => {
  const { data, isLoading, error } = useAccount(id)
  const types = useAccountTypes()
  if (isLoading || error || !data) {
    return (
      <Section title="Account">
        <LoadState isLoading={isLoading} error={error} />
      </Section>
    )
  }
  const account = data.account
  const giftCard = isGiftCardType(types.data?.account_types, account.type_id)
  return (
    <div className="flex flex-col gap-y-3" data-testid="account-detail">
      <Section
        level="h1"
        title={
          <span className="flex items-center gap-x-2">
            {account.name}
            <AccountStatusBadge status={account.status} />
            {giftCard ? <Badge size="2xsmall">Gift card</Badge> : null}
          </span>
        }
        subtitle={<span className="font-mono">{account.id}</span>}
        actions={<AccountActions account={account} giftCard={giftCard} />}
      >
        <Summary account={account} />
      </Section>
      <History account={account} />
      {account.role ? null : <AccountLots account={account} />}
      <StatementTable accountId={account.id} currency={account.currency_code} />
      <Holds account={account} />
      {account.role ? null : <Orders account={account} />}
    </div>
  )
}

