import { Button, Drawer, Input, Textarea, toast } from "@medusajs/ui"
import { useState, type ReactNode } from "react"
import { useIdempotencyKey, useLedgerPost } from "../hooks/use-accounts"
import { errorField, errorSentence } from "../lib/errors"
import { endOfDay } from "../lib/format"
import { Field, FormError } from "./field"
import { MoneySourceSelect, SOURCE_REF, type MoneySource } from "./money-source-select"

/**
 * One amount moved by staff: top up, withdraw, refund a transfer. `withSource` asks where
 * the money comes from (top-ups); the posting carries a fresh idempotency key per opening.
 */
export const PostingDrawer = ({
  trigger,
  title,
  path,
  currency,
  withSource,
  withExpiry,
  maxHint,
  submitLabel,
  successMessage,
  open: controlledOpen,
  onOpenChange,
}: {
  trigger?: ReactNode
  title: string
  path: string
  currency: string
  withSource?: "source_account_id" | "destination_account_id"
  /** ask when the credit expires (a lot of its own; credits only) */
  withExpiry?: boolean
  maxHint?: string
  submitLabel: string
  successMessage: string
  open?: boolean
  onOpenChange?: (open: boolean) => void
}) => {
  const [ownOpen, setOwnOpen] = useState(false)
  const open = controlledOpen ?? ownOpen
  const setOpen = onOpenChange ?? setOwnOpen
  const [amount, setAmount] = useState("")
  const [description, setDescription] = useState("")
  const [expires, setExpires] = useState("")
  const [source, setSource] = useState<MoneySource>("received")
  const [error, setError] = useState<unknown>(null)
  const [key, renewKey] = useIdempotencyKey("posting")
  const post = useLedgerPost<Record<string, unknown>>(path)

  const submit = async () => {
    setError(null)
    const body: Record<string, unknown> = { amount: amount.trim(), idempotency_key: key }
    if (description.trim()) body.description = description.trim()
    if (withSource) body[withSource] = SOURCE_REF[source]
    if (withExpiry && expires) body.expires_at = endOfDay(expires)
    try {
      await post.mutateAsync(body)
      toast.success(successMessage)
      renewKey()
      setAmount("")
      setDescription("")
      setExpires("")
      setOpen(false)
    } catch (e) {
      setError(e)
    }
  }

  const fieldError = errorField(error)
  return (
    <Drawer open={open} onOpenChange={(o) => { setOpen(o); if (!o) setError(null) }}>
      {trigger ? <Drawer.Trigger asChild>{trigger}</Drawer.Trigger> : null}
      <Drawer.Content>
        <Drawer.Header>
          <Drawer.Title>{title}</Drawer.Title>
        </Drawer.Header>
        <Drawer.Body className="flex flex-col gap-y-4">
          <Field label={`Amount (${currency.toUpperCase()})`} hint={maxHint} error={fieldError === "amount" ? errorSentence(error) : null} htmlFor="posting-amount">
            <Input id="posting-amount" name="amount" inputMode="decimal" placeholder="0.00" value={amount} onChange={(e) => setAmount(e.target.value)} />
          </Field>
          {withSource ? (
            <Field label={withSource === "source_account_id" ? "Where the money comes from" : "Where the money goes"}>
              <MoneySourceSelect value={source} onChange={setSource} />
            </Field>
          ) : null}
          {withExpiry ? (
            <Field
              label="Expires (optional)"
              hint="This credit lapses at the end of that day; it is spent before credit that expires later."
              error={fieldError === "expires_at" ? errorSentence(error) : null}
              htmlFor="posting-expires"
            >
              <Input id="posting-expires" name="expires_at" type="date" value={expires} onChange={(e) => setExpires(e.target.value)} />
            </Field>
          ) : null}
          <Field label="Note" hint="Shown on the statement." htmlFor="posting-note">
            <Textarea id="posting-note" name="description" value={description} onChange={(e) => setDescription(e.target.value)} />
          </Field>
          <FormError error={error && fieldError !== "amount" ? errorSentence(error) : null} />
        </Drawer.Body>
        <Drawer.Footer>
          <Drawer.Close asChild>
            <Button variant="secondary" size="small">
              Cancel
            </Button>
          </Drawer.Close>
          <Button size="small" onClick={submit} isLoading={post.isPending} disabled={!amount.trim()} data-testid="posting-submit">
            {submitLabel}
          </Button>
        </Drawer.Footer>
      </Drawer.Content>
    </Drawer>
  )
}
