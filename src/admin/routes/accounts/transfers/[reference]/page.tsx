import { Button, Table, toast, usePrompt } from "@medusajs/ui"
import { Link, useParams } from "react-router-dom"
import { PostingDrawer } from "../../../../components/posting-drawer"
import { KeyValues, LoadState, Section } from "../../../../components/section"
import { kindLabel } from "../../../../components/statement-table"
import { useIdempotencyKey, useLedgerPost } from "../../../../hooks/use-accounts"
import { useTransfer } from "../../../../hooks/use-transfers"
import { errorSentence } from "../../../../lib/errors"
import { formatDate, formatMoney } from "../../../../lib/format"
import { authorisedBy } from "../../../../lib/transfers"
import type { Transfer } from "../../../../lib/types"

const TransferLink = ({ t }: { t: Transfer }) => (
  <Link className="text-ui-fg-interactive font-mono text-xs" to={`/accounts/transfers/${encodeURIComponent(t.reference)}`}>
    {t.reference}
  </Link>
)

const Actions = ({ transfer }: { transfer: Transfer }) => {
  const prompt = usePrompt()
  const [key, renewKey] = useIdempotencyKey("reverse")
  const reverse = useLedgerPost<Record<string, unknown>>(`/admin/transfers/${encodeURIComponent(transfer.reference)}/reverse`)
  const refundable = transfer.refundable_amount
  const canUndo = refundable !== undefined && Number(refundable) > 0 && !["reversal", "refund"].includes(transfer.kind)
  if (!canUndo) return null
  const onReverse = async () => {
    const ok = await prompt({
      title: "Reverse this transfer?",
      description: `${formatMoney(refundable, transfer.currency_code)} goes back from the destination to the source, as a new transfer. This cannot be undone.`,
      confirmText: "Reverse",
      cancelText: "Cancel",
    })
    if (!ok) return
    try {
      await reverse.mutateAsync({ idempotency_key: key })
      renewKey()
      toast.success("Transfer reversed")
    } catch (e) {
      toast.error(errorSentence(e))
    }
  }
  return (
    <>
      <PostingDrawer
        trigger={
          <Button size="small" variant="secondary" data-testid="transfer-refund">
            Refund
          </Button>
        }
        title="Refund part of this transfer"
        path={`/admin/transfers/${encodeURIComponent(transfer.reference)}/refunds`}
        currency={transfer.currency_code}
        maxHint={`Up to ${formatMoney(refundable, transfer.currency_code)} can be refunded.`}
        submitLabel="Refund"
        successMessage="Refund posted"
      />
      {/* A partly refunded transfer can only be refunded further, not reversed. */}
      {transfer.children?.length ? null : (
        <Button size="small" variant="danger" onClick={onReverse} isLoading={reverse.isPending} data-testid="transfer-reverse">
          Reverse
        </Button>
      )}
    </>
  )
}

const TransferPage = () => {
  const { reference } = useParams()
  const { data, isLoading, error } = useTransfer(reference!)
  const t = data?.transfer
  const money = (v: string | null | undefined) => formatMoney(v, t?.currency_code)
  return (
    <div className="flex flex-col gap-y-3" data-testid="transfer-detail">
      <Section level="h1" title={t ? `${kindLabel(t.kind)} ${t.reference}` : "Transfer"} actions={t ? <Actions transfer={t} /> : null}>
        <LoadState isLoading={isLoading} error={error}>
          {t ? (
            <KeyValues
              rows={[
                ["Amount", <span data-testid="transfer-amount">{money(t.amount)}</span>],
                ["From", <Link className="text-ui-fg-interactive" to={`/accounts/${t.source_id}`}>{t.source?.name ?? t.source_id}</Link>],
                ["To", <Link className="text-ui-fg-interactive" to={`/accounts/${t.destination_id}`}>{t.destination?.name ?? t.destination_id}</Link>],
                ["Refundable", <span data-testid="transfer-refundable">{t.refundable_amount === undefined ? "—" : money(t.refundable_amount)}</span>],
                ["Order or reference", t.merchant_reference?.startsWith("order_") ? <Link className="text-ui-fg-interactive" to={`/orders/${t.merchant_reference}`}>{t.merchant_reference}</Link> : t.merchant_reference],
                ["Description", t.description],
                ["Authorised by", authorisedBy(t)],
                ["Date", formatDate(t.created_at, true)],
                ...(t.parent ? ([["Undoes", <TransferLink t={t.parent} />]] as [string, JSX.Element][]) : []),
              ]}
            />
          ) : null}
        </LoadState>
      </Section>
      {t?.entries?.length ? (
        <Section title="Entries">
          <Table>
            <Table.Header>
              <Table.Row>
                <Table.HeaderCell>Account</Table.HeaderCell>
                <Table.HeaderCell className="text-right">Amount</Table.HeaderCell>
                <Table.HeaderCell className="text-right">Balance after</Table.HeaderCell>
              </Table.Row>
            </Table.Header>
            <Table.Body>
              {t.entries.map((e) => (
                <Table.Row key={e.id}>
                  <Table.Cell>
                    <Link className="text-ui-fg-interactive font-mono text-xs" to={`/accounts/${e.account_id}`}>
                      {e.account_id}
                    </Link>
                  </Table.Cell>
                  <Table.Cell className="text-right tabular-nums">{money(e.amount)}</Table.Cell>
                  <Table.Cell className="text-right tabular-nums">{e.balance_after === null ? "—" : money(e.balance_after)}</Table.Cell>
                </Table.Row>
              ))}
            </Table.Body>
          </Table>
        </Section>
      ) : null}
      {t?.children?.length ? (
        <Section title="Refunds and reversals" testId="transfer-children">
          <Table>
            <Table.Body>
              {t.children.map((c) => (
                <Table.Row key={c.id}>
                  <Table.Cell>{kindLabel(c.kind)}</Table.Cell>
                  <Table.Cell>
                    <TransferLink t={c} />
                  </Table.Cell>
                  <Table.Cell className="text-right">{money(c.amount)}</Table.Cell>
                  <Table.Cell>{formatDate(c.created_at, true)}</Table.Cell>
                </Table.Row>
              ))}
            </Table.Body>
          </Table>
        </Section>
      ) : null}
    </div>
  )
}

export default TransferPage
