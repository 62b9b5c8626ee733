import { Badge, Table } from "@medusajs/ui"
import { Link } from "react-router-dom"
import { useLots } from "../hooks/use-accounts"
import { formatDate, formatMoney } from "../lib/format"
import type { Account, Lot } from "../lib/types"
import { LoadState, Section } from "./section"

const STATUS: Record<Lot["status"], { label: string; color: "green" | "orange" | "grey" }> = {
  active: { label: "Active", color: "green" },
  expired: { label: "Expired, lapses at the next sweep", color: "orange" },
  used: { label: "Used", color: "grey" },
}

/**
 * The account's credit lots (credit with its own expiry), in the order they are spent:
 * soonest expiry first, credit without expiry last. Shown once the account keeps lots.
 */
export const AccountLots = ({ account }: { account: Account }) => {
  const { data, isLoading, error } = useLots(account.id)
  if (!isLoading && !error && !data?.count) return null
  const money = (v: string) => formatMoney(v, account.currency_code)
  const next = data?.next_expiring
  return (
    <Section
      title="Credit by expiry"
      subtitle={next ? `${money(next.amount)} expires ${formatDate(next.expires_at, true)}` : "Nothing expires soon."}
      testId="account-lots"
    >
      <LoadState isLoading={isLoading} error={error}>
        <Table>
          <Table.Header>
            <Table.Row>
              <Table.HeaderCell>Expires</Table.HeaderCell>
              <Table.HeaderCell>Status</Table.HeaderCell>
              <Table.HeaderCell className="text-right">Credited</Table.HeaderCell>
              <Table.HeaderCell className="text-right">Left</Table.HeaderCell>
              <Table.HeaderCell className="text-right">Held</Table.HeaderCell>
              <Table.HeaderCell>From</Table.HeaderCell>
            </Table.Row>
          </Table.Header>
          <Table.Body>
            {data?.lots.map((lot) => (
              <Table.Row key={lot.id} data-testid="lot-row">
                <Table.Cell>{lot.expires_at ? formatDate(lot.expires_at, true) : "Never"}</Table.Cell>
                <Table.Cell>
                  <Badge size="2xsmall" color={STATUS[lot.status].color}>
                    {STATUS[lot.status].label}
                  </Badge>
                </Table.Cell>
                <Table.Cell className="text-right">{money(lot.amount)}</Table.Cell>
                <Table.Cell className="text-right">{money(lot.remaining)}</Table.Cell>
                <Table.Cell className="text-right">{money(lot.reserved)}</Table.Cell>
                <Table.Cell>
                  {lot.transfer_reference ? (
                    <Link className="text-ui-fg-interactive font-mono text-xs" to={`/accounts/transfers/${lot.transfer_reference}`}>
                      {lot.transfer_reference}
                    </Link>
                  ) : (
                    <span className="text-ui-fg-muted">Balance before lots</span>
                  )}
                </Table.Cell>
              </Table.Row>
            ))}
          </Table.Body>
        </Table>
      </LoadState>
    </Section>
  )
}
