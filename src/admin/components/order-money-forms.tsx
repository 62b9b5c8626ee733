import { Button, Drawer, Input, Select, Text, Textarea, toast } from "@medusajs/ui"
import { useQueryClient } from "@tanstack/react-query"
import { useState } from "react"
import { useIdempotencyKey, useLedgerPost } from "../hooks/use-accounts"
import type { OrderAccountMoney } from "../hooks/use-order-money"
import { errorField, errorSentence } from "../lib/errors"
import { endOfDay, formatMoney } from "../lib/format"
import { DrawerActions } from "./form-actions"
import { Field, FormError } from "./field"

/** After an order-changing action Medusa's own order queries must refetch too. */
function useRefreshOrder() {
  const client = useQueryClient()
  return () => client.invalidateQueries({ predicate: (q) => JSON.stringify(q.queryKey).includes("order") })
}

/** "Refund to store credit": up to what is refundable, into the wallet (or a new code for a guest). */
export const RefundToCreditDrawer = ({ orderId, money }: { orderId: string; money: OrderAccountMoney }) => {
  const [open, setOpen] = useState(false)
  const [amount, setAmount] = useState("")
  const [note, setNote] = useState("")
  const [expires, setExpires] = useState("")
  const [error, setError] = useState<unknown>(null)
  const [key, renewKey] = useIdempotencyKey("refund-to-account")
  const refund = useLedgerPost<Record<string, unknown>>(`/admin/orders/${orderId}/refund-to-account`)
  const refresh = useRefreshOrder()
  const submit = async () => {
    setError(null)
    try {
      await refund.mutateAsync({
        amount: amount.trim(),
        idempotency_key: key,
        ...(note.trim() ? { note: note.trim() } : {}),
        ...(expires ? { expires_at: endOfDay(expires) } : {}),
      })
      toast.success("Refunded to store credit")
      renewKey()
      setAmount("")
      setOpen(false)
      refresh()
    } catch (e) {
      setError(e)
    }
  }
  const field = errorField(error)
  return (
    <Drawer open={open} onOpenChange={setOpen}>
      <Drawer.Trigger asChild>
        <Button size="small" variant="secondary" disabled={Number(money.refundable_to_account) <= 0} data-testid="refund-to-credit">
          Refund to store credit
        </Button>
      </Drawer.Trigger>
      <Drawer.Content>
        <Drawer.Header>
          <Drawer.Title>Refund to store credit</Drawer.Title>
        </Drawer.Header>
        <Drawer.Body className="flex flex-col gap-y-4">
          <Text size="small" className="text-ui-fg-subtle">
            What was paid from accounts goes back to those accounts first; the rest, paid by card, is credited to the customer's wallet (a guest gets a new gift-card code).
          </Text>
          <Field
            label="Amount"
            hint={`Up to ${formatMoney(money.refundable_to_account, money.currency_code)} can be refunded.`}
            error={field === "amount" ? errorSentence(error) : null}
            htmlFor="refund-amount"
          >
            <Input id="refund-amount" inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} />
          </Field>
          <Field label="Note">
            <Textarea value={note} onChange={(e) => setNote(e.target.value)} />
          </Field>
          <Field
            label="Card-paid part expires (optional)"
            hint="New credit for what the card paid lapses at the end of that day; money paid from accounts goes back with the expiry it had."
            htmlFor="refund-expires"
          >
            <Input id="refund-expires" type="date" value={expires} onChange={(e) => setExpires(e.target.value)} />
          </Field>
          <FormError error={error && field !== "amount" ? errorSentence(error) : null} />
        </Drawer.Body>
        <DrawerActions label="Refund" onSubmit={submit} busy={refund.isPending} disabled={!amount.trim()} testId="refund-to-credit-submit" />
      </Drawer.Content>
    </Drawer>
  )
}

/** "Pay from store credit": staff settle what an edit, exchange or claim left due from an account or a code. */
export const PayFromAccountDrawer = ({ orderId, money }: { orderId: string; money: OrderAccountMoney }) => {
  const [open, setOpen] = useState(false)
  const [accountId, setAccountId] = useState(money.payable_accounts[0]?.id ?? "")
  const [code, setCode] = useState("")
  const [amount, setAmount] = useState(money.amount_due)
  const [error, setError] = useState<unknown>(null)
  const [key, renewKey] = useIdempotencyKey("pay-from-account")
  const pay = useLedgerPost<Record<string, unknown>>(`/admin/orders/${orderId}/pay-from-account`)
  const refresh = useRefreshOrder()
  const submit = async () => {
    setError(null)
    try {
      await pay.mutateAsync({
        ...(code.trim() ? { code: code.trim() } : { account_id: accountId }),
        amount: amount.trim(),
        idempotency_key: key,
      })
      toast.success("Paid from store credit")
      renewKey()
      setOpen(false)
      refresh()
    } catch (e) {
      setError(e)
    }
  }
  const field = errorField(error)
  return (
    <Drawer open={open} onOpenChange={setOpen}>
      <Drawer.Trigger asChild>
        <Button size="small" data-testid="pay-from-account">
          Pay from store credit
        </Button>
      </Drawer.Trigger>
      <Drawer.Content>
        <Drawer.Header>
          <Drawer.Title>Pay the amount due from store credit</Drawer.Title>
        </Drawer.Header>
        <Drawer.Body className="flex flex-col gap-y-4">
          <Text size="small" className="text-ui-fg-subtle">
            {formatMoney(money.amount_due, money.currency_code)} is due on this order. The account is debited and a captured payment is recorded on the order, together.
          </Text>
          <Field label="Account">
            <Select value={accountId} onValueChange={(v) => { setAccountId(v); setCode("") }} disabled={!money.payable_accounts.length}>
              <Select.Trigger data-testid="pay-account">
                <Select.Value placeholder={money.payable_accounts.length ? "Choose an account" : "The customer has no account in this currency"} />
              </Select.Trigger>
              <Select.Content>
                {money.payable_accounts.map((a) => (
                  <Select.Item key={a.id} value={a.id}>
                    {a.name} · {a.available === null ? "unlimited" : formatMoney(a.available, a.currency_code)} available
                  </Select.Item>
                ))}
              </Select.Content>
            </Select>
          </Field>
          <Field label="or a gift card code" error={field === "code" ? errorSentence(error) : null}>
            <Input placeholder="ABCD-EFGH-JKLM-NPQR" value={code} onChange={(e) => setCode(e.target.value)} />
          </Field>
          <Field label="Amount" error={field === "amount" ? errorSentence(error) : null} htmlFor="pay-amount">
            <Input id="pay-amount" inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} />
          </Field>
          <FormError error={error && field !== "amount" && field !== "code" ? errorSentence(error) : null} />
        </Drawer.Body>
        <DrawerActions label="Pay" onSubmit={submit} busy={pay.isPending} disabled={!amount.trim() || (!accountId && !code.trim())} testId="pay-from-account-submit" />
      </Drawer.Content>
    </Drawer>
  )
}
