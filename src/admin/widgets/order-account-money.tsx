import { defineWidgetConfig } from "@medusajs/admin-sdk"
import type { AdminOrder, DetailWidgetProps } from "@medusajs/framework/types"
import { Text } from "@medusajs/ui"
import { Link } from "react-router-dom"
import { PayFromAccountDrawer, RefundToCreditDrawer } from "../components/order-money-forms"
import { LoadState, Section } from "../components/section"
import { kindLabel } from "../components/statement-table"
import { useOrderAccountMoney } from "../hooks/use-order-money"
import { formatMoney, maskCode } from "../lib/format"

/** The account money of an order: per account what was held, captured, refunded and reversed. */
const OrderAccountMoneyWidget = ({ data: order }: DetailWidgetProps<AdminOrder>) => {
  const { data, isLoading, error } = useOrderAccountMoney(order.id)
  const money = (v: string) => formatMoney(v, data?.currency_code ?? order.currency_code)
  return (
    <Section
      title="Account money"
      testId="order-account-money"
      actions={data && Number(data.amount_due) > 0 ? <PayFromAccountDrawer orderId={order.id} money={data} /> : null}
    >
      <LoadState isLoading={isLoading} error={error}>
        {data ? (
          <div className="flex flex-col divide-y">
            {data.accounts.length === 0 ? (
              <Text size="small" className="text-ui-fg-muted px-6 py-4">
                No account paid for this order.
              </Text>
            ) : (
              data.accounts.map((a) => (
                <div key={a.account.id} className="flex flex-col gap-y-1 px-6 py-3" data-testid="order-account">
                  <div className="flex items-center justify-between">
                    <Link className="text-ui-fg-interactive txt-small-plus" to={`/accounts/${a.account.id}`}>
                      {a.account.name}
                      {a.account.code ? <span className="text-ui-fg-muted ml-1 font-mono text-xs">{maskCode(a.account.code)}</span> : null}
                    </Link>
                    <Text size="small" className="text-ui-fg-subtle tabular-nums" data-testid="order-account-net">
                      paid {money(a.paid)} · back {money(a.refunded)}
                    </Text>
                  </div>
                  {a.transfers.map((t) => (
                    <div key={t.reference} className="text-ui-fg-subtle flex items-center justify-between">
                      <Link className="txt-small hover:text-ui-fg-interactive" to={`/accounts/transfers/${encodeURIComponent(t.reference)}`}>
                        {kindLabel(t.kind)} <span className="font-mono text-xs">{t.reference}</span>
                      </Link>
                      <Text size="small" className={`tabular-nums ${t.direction === "in" ? "text-ui-fg-interactive" : ""}`}>
                        {t.direction === "out" ? "−" : "+"}
                        {money(t.amount)}
                      </Text>
                    </div>
                  ))}
                  {a.holds
                    .filter((h) => h.status === "open")
                    .map((h) => (
                      <div key={h.id} className="text-ui-fg-subtle flex items-center justify-between">
                        <Text size="small">Held {h.source === "allocation" ? "for the cart" : "for a payment"}</Text>
                        <Text size="small" className="tabular-nums">
                          {money(h.amount)}
                        </Text>
                      </div>
                    ))}
                </div>
              ))
            )}
            {data.gift_cards_issued.length ? (
              <div className="flex flex-col gap-y-1 px-6 py-3">
                <Text size="small" weight="plus">
                  Gift cards issued
                </Text>
                {data.gift_cards_issued.map((g) => (
                  <div key={g.account_id} className="flex justify-between">
                    <Link className="text-ui-fg-interactive txt-small font-mono" to={`/accounts/${g.account_id}`}>
                      •••• {g.code_last4 ?? "—"}
                    </Link>
                    <Text size="small">
                      {money(g.balance)} of {money(g.amount)} left
                    </Text>
                  </div>
                ))}
              </div>
            ) : null}
            <div className="flex items-center justify-between px-6 py-3">
              <Text size="small" className="text-ui-fg-subtle">
                Refundable to store credit: {money(data.refundable_to_account)}
              </Text>
              <RefundToCreditDrawer orderId={order.id} money={data} />
            </div>
          </div>
        ) : null}
      </LoadState>
    </Section>
  )
}

export const config = defineWidgetConfig({ zone: "order.details.side.after" })

export default OrderAccountMoneyWidget
