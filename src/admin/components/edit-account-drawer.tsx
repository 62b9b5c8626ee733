import { Drawer, Input, Switch, Text, Textarea, toast } from "@medusajs/ui"
import { useEffect, useState } from "react"
import { useLedgerPost } from "../hooks/use-accounts"
import { errorField, errorSentence } from "../lib/errors"
import type { Account } from "../lib/types"
import { DrawerActions } from "./form-actions"
import { Field, FormError } from "./field"

const dateInput = (v: string | null) => (v ? new Date(v).toISOString().slice(0, 10) : "")

export const EditAccountDrawer = ({ account, open, onOpenChange }: { account: Account; open: boolean; onOpenChange: (o: boolean) => void }) => {
  const [name, setName] = useState(account.name)
  const [description, setDescription] = useState(account.description ?? "")
  const [creditLimit, setCreditLimit] = useState(account.credit_limit ?? "")
  const [endDate, setEndDate] = useState(dateInput(account.end_date))
  const [canPayShipping, setCanPayShipping] = useState(account.can_pay_shipping)
  const [error, setError] = useState<unknown>(null)
  const save = useLedgerPost<Record<string, unknown>>(`/admin/accounts/${account.id}`)

  useEffect(() => {
    if (open) {
      setName(account.name)
      setDescription(account.description ?? "")
      setCreditLimit(account.credit_limit ?? "")
      setEndDate(dateInput(account.end_date))
      setCanPayShipping(account.can_pay_shipping)
      setError(null)
    }
  }, [open])

  const submit = async () => {
    setError(null)
    try {
      await save.mutateAsync({
        name: name.trim(),
        description: description.trim() || null,
        ...(account.role ? {} : { credit_limit: creditLimit === "" ? null : creditLimit }),
        end_date: endDate ? new Date(endDate).toISOString() : null,
        can_pay_shipping: canPayShipping,
      })
      toast.success("Account saved")
      onOpenChange(false)
    } catch (e) {
      setError(e)
    }
  }
  const field = errorField(error)
  return (
    <Drawer open={open} onOpenChange={onOpenChange}>
      <Drawer.Content>
        <Drawer.Header>
          <Drawer.Title>Edit account</Drawer.Title>
        </Drawer.Header>
        <Drawer.Body className="flex flex-col gap-y-4">
          <Field label="Name">
            <Input name="name" value={name} onChange={(e) => setName(e.target.value)} />
          </Field>
          {account.role ? null : (
            <Field label="Credit limit" hint="Empty means unlimited (source accounts only)." error={field === "credit_limit" ? errorSentence(error) : null}>
              <Input inputMode="decimal" value={creditLimit} onChange={(e) => setCreditLimit(e.target.value)} />
            </Field>
          )}
          <Field label="Ends">
            <Input type="date" value={endDate} onChange={(e) => setEndDate(e.target.value)} />
          </Field>
          <label className="flex items-center gap-x-3">
            <Switch checked={canPayShipping} onCheckedChange={setCanPayShipping} />
            <Text size="small">Can pay for shipping</Text>
          </label>
          <Field label="Description">
            <Textarea value={description} onChange={(e) => setDescription(e.target.value)} />
          </Field>
          <FormError error={error && field !== "credit_limit" ? errorSentence(error) : null} />
        </Drawer.Body>
        <DrawerActions label="Save" onSubmit={submit} busy={save.isPending} />
      </Drawer.Content>
    </Drawer>
  )
}
