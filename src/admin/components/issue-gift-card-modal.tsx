import { Button, FocusModal, Heading, Input, Text, Textarea, toast } from "@medusajs/ui"
import { useState } from "react"
import { useNavigate } from "react-router-dom"
import { useAccountTypes, useIdempotencyKey, useLedgerPost } from "../hooks/use-accounts"
import { GIFT_CARD_TYPE_CODE } from "../lib/account-types"
import { errorField, errorSentence } from "../lib/errors"
import type { Account } from "../lib/types"
import { CustomerPicker, type PickedCustomer } from "./entity-picker"
import { CurrencySelect } from "./currency-select"
import { ModalActions } from "./form-actions"
import { Field, FormError } from "./field"
import { MoneySourceSelect, SOURCE_REF, type MoneySource } from "./money-source-select"

/** One form for a gift card: value, currency, expiry, recipient, note, paid for or promotional. */
export const IssueGiftCardModal = () => {
  const navigate = useNavigate()
  const [open, setOpen] = useState(false)
  const types = useAccountTypes()
  const [value, setValue] = useState("")
  const [currency, setCurrency] = useState("")
  const [expires, setExpires] = useState("")
  const [recipient, setRecipient] = useState<PickedCustomer[]>([])
  const [email, setEmail] = useState("")
  const [note, setNote] = useState("")
  const [source, setSource] = useState<MoneySource>("received")
  const [error, setError] = useState<unknown>(null)
  const [key, renewKey] = useIdempotencyKey("gift-card")
  const issue = useLedgerPost<Record<string, unknown>, { account: Account }>("/admin/accounts")
  const giftCardType = types.data?.account_types.find((t) => t.code === GIFT_CARD_TYPE_CODE)


  const submit = async () => {
    setError(null)
    const to = recipient[0]?.label ?? email.trim()
    const body: Record<string, unknown> = {
      name: to ? `Gift card for ${to}` : "Gift card",
      currency_code: currency,
      account_type_id: giftCardType?.id,
      generate_code: true,
      credit_limit: "0",
      initial_amount: value.trim(),
      source_account_id: SOURCE_REF[source],
      idempotency_key: key,
    }
    if (expires) body.end_date = new Date(`${expires}T23:59:59`).toISOString()
    if (recipient[0]) body.customer_id = recipient[0].id
    else if (email.trim()) body.metadata = { recipient_email: email.trim() }
    if (note.trim()) body.description = note.trim()
    try {
      const { account } = await issue.mutateAsync(body)
      toast.success(`Gift card ${account.code} issued`)
      renewKey()
      setOpen(false)
      navigate(`/accounts/${account.id}`)
    } catch (e) {
      setError(e)
    }
  }

  const field = errorField(error)
  return (
    <FocusModal open={open} onOpenChange={setOpen}>
      <FocusModal.Trigger asChild>
        <Button size="small" variant="secondary" data-testid="issue-gift-card">
          Issue gift card
        </Button>
      </FocusModal.Trigger>
      <FocusModal.Content>
        <ModalActions label="Issue gift card" onSubmit={submit} busy={issue.isPending} disabled={!value.trim() || !currency} testId="issue-gift-card-submit" />
        <FocusModal.Body className="flex flex-col items-center overflow-y-auto py-10">
          <div className="flex w-full max-w-[560px] flex-col gap-y-5">
            <div>
              <FocusModal.Title asChild>
                <Heading>Issue gift card</Heading>
              </FocusModal.Title>
              <Text size="small" className="text-ui-fg-subtle">
                A code is generated; the shopper types it at checkout.
              </Text>
            </div>
            <FormError error={error && field !== "amount" ? errorSentence(error) : null} />
            <div className="grid grid-cols-2 gap-4">
              <Field label="Value" error={field === "amount" ? errorSentence(error) : null} htmlFor="gift-card-value">
                <Input id="gift-card-value" name="value" inputMode="decimal" placeholder="0.00" value={value} onChange={(e) => setValue(e.target.value)} />
              </Field>
              <Field label="Currency">
                <CurrencySelect value={currency} onChange={setCurrency} testId="gift-card-currency" />
              </Field>
              <Field label="Expires (optional)" htmlFor="gift-card-expires">
                <Input id="gift-card-expires" type="date" value={expires} onChange={(e) => setExpires(e.target.value)} />
              </Field>
              <Field label="Paid for?">
                <MoneySourceSelect value={source} onChange={setSource} />
              </Field>
            </div>
            <Field label="Recipient (a customer, or an email)">
              <CustomerPicker value={recipient} onChange={setRecipient} />
              {recipient.length ? null : <Input type="email" placeholder="or an email address" value={email} onChange={(e) => setEmail(e.target.value)} />}
            </Field>
            <Field label="Note (optional)">
              <Textarea value={note} onChange={(e) => setNote(e.target.value)} />
            </Field>
          </div>
        </FocusModal.Body>
      </FocusModal.Content>
    </FocusModal>
  )
}
