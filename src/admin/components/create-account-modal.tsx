import { Button, FocusModal, Heading, Input, RadioGroup, Select, Switch, Text, Textarea, toast } from "@medusajs/ui"
import { useEffect, useState } from "react"
import { useNavigate } from "react-router-dom"
import { useAccountTypes, useIdempotencyKey, useLedgerPost } from "../hooks/use-accounts"
import { customerFacingTypes } from "../lib/account-types"
import { errorField, errorSentence } from "../lib/errors"
import type { Account } from "../lib/types"
import { CustomerPicker, ProductPicker, type PickedCustomer, type PickedProduct } from "./entity-picker"
import { CurrencySelect } from "./currency-select"
import { ModalActions } from "./form-actions"
import { Field, FormError } from "./field"
import { MoneySourceSelect, SOURCE_REF, type MoneySource } from "./money-source-select"

type CodeMode = "generate" | "typed" | "none"

/** Opens any customer-facing account: wallet, gift card, loyalty, B2B credit line. */
export const CreateAccountModal = ({ defaultTypeCode, triggerLabel = "Create" }: { defaultTypeCode?: string; triggerLabel?: string }) => {
  const navigate = useNavigate()
  const [open, setOpen] = useState(false)
  const types = useAccountTypes()
  const options = customerFacingTypes(types.data?.account_types ?? [])

  const [name, setName] = useState("")
  const [typeId, setTypeId] = useState("")
  const [currency, setCurrency] = useState("")
  const [owner, setOwner] = useState<PickedCustomer[]>([])
  const [members, setMembers] = useState<PickedCustomer[]>([])
  const [amount, setAmount] = useState("")
  const [source, setSource] = useState<MoneySource>("received")
  const [creditLimit, setCreditLimit] = useState("0")
  const [unlimited, setUnlimited] = useState(false)
  const [startDate, setStartDate] = useState("")
  const [endDate, setEndDate] = useState("")
  const [codeMode, setCodeMode] = useState<CodeMode>("none")
  const [code, setCode] = useState("")
  const [products, setProducts] = useState<PickedProduct[]>([])
  const [canPayShipping, setCanPayShipping] = useState(true)
  const [description, setDescription] = useState("")
  const [error, setError] = useState<unknown>(null)
  const [key, renewKey] = useIdempotencyKey("account")
  const create = useLedgerPost<Record<string, unknown>, { account: Account }>("/admin/accounts")

  useEffect(() => {
    if (!typeId && options.length) {
      const preferred = options.find((t) => t.code === defaultTypeCode) ?? options[0]
      setTypeId(preferred.id)
      if (preferred.code === defaultTypeCode && defaultTypeCode?.endsWith("gift_cards")) setCodeMode("generate")
    }
  }, [options.length, typeId, defaultTypeCode])

  const submit = async () => {
    setError(null)
    const body: Record<string, unknown> = {
      name: name.trim(),
      currency_code: currency,
      account_type_id: typeId || undefined,
      idempotency_key: key,
      credit_limit: unlimited ? null : creditLimit.trim() === "" ? "0" : creditLimit.trim(),
      can_pay_shipping: canPayShipping,
    }
    if (description.trim()) body.description = description.trim()
    if (owner[0]) body.customer_id = owner[0].id
    if (members.length) body.member_ids = members.map((m) => m.id)
    if (amount.trim()) {
      body.initial_amount = amount.trim()
      body.source_account_id = SOURCE_REF[source]
    }
    if (startDate) body.start_date = new Date(startDate).toISOString()
    if (endDate) body.end_date = new Date(endDate).toISOString()
    if (codeMode === "generate") body.generate_code = true
    if (codeMode === "typed") body.code = code.trim()
    if (products.length) body.product_ids = products.map((p) => p.id)
    try {
      const { account } = await create.mutateAsync(body)
      toast.success(`Account ${account.name} created`)
      renewKey()
      setOpen(false)
      navigate(`/accounts/${account.id}`)
    } catch (e) {
      setError(e)
    }
  }

  const field = errorField(error)
  const at = (f: string) => (field === f ? errorSentence(error) : null)
  return (
    <FocusModal open={open} onOpenChange={setOpen}>
      <FocusModal.Trigger asChild>
        <Button size="small" variant="secondary" data-testid="create-account">
          {triggerLabel}
        </Button>
      </FocusModal.Trigger>
      <FocusModal.Content>
        <ModalActions label="Create account" onSubmit={submit} busy={create.isPending} disabled={!name.trim() || !currency} testId="create-account-submit" />
        <FocusModal.Body className="flex flex-col items-center overflow-y-auto py-10">
          <div className="flex w-full max-w-[720px] flex-col gap-y-6">
            <div>
              <FocusModal.Title asChild>
                <Heading>Create account</Heading>
              </FocusModal.Title>
              <Text size="small" className="text-ui-fg-subtle">
                A wallet, gift card, loyalty or credit account. Its money is recorded on the ledger from the first cent.
              </Text>
            </div>
            <FormError error={error && !field ? errorSentence(error) : null} />
            <div className="grid grid-cols-2 gap-4">
              <Field label="Name" htmlFor="account-name">
                <Input id="account-name" name="name" value={name} onChange={(e) => setName(e.target.value)} />
              </Field>
              <Field label="Type">
                <Select value={typeId} onValueChange={setTypeId}>
                  <Select.Trigger data-testid="account-type">
                    <Select.Value placeholder="Choose a type" />
                  </Select.Trigger>
                  <Select.Content>
                    {options.map((t) => (
                      <Select.Item key={t.id} value={t.id}>
                        {"\u00a0\u00a0".repeat(Math.max(0, t.depth - 2))}
                        {t.name}
                      </Select.Item>
                    ))}
                  </Select.Content>
                </Select>
              </Field>
              <Field label="Currency" error={at("currency_code")}>
                <CurrencySelect value={currency} onChange={setCurrency} testId="account-currency" />
              </Field>
              <Field label="Credit limit" hint="0 means the balance may not go below zero; above 0 is a credit line." error={at("credit_limit")} htmlFor="account-credit-limit">
                <Input id="account-credit-limit" inputMode="decimal" value={unlimited ? "" : creditLimit} disabled={unlimited} onChange={(e) => setCreditLimit(e.target.value)} />
                <label className="flex items-center gap-x-2">
                  <Switch checked={unlimited} onCheckedChange={setUnlimited} />
                  <Text size="small">Unlimited (a source account, such as a partner's settlement account)</Text>
                </label>
              </Field>
              <Field label="Initial amount (optional)" error={at("amount")} htmlFor="account-initial-amount">
                <Input id="account-initial-amount" name="initial_amount" inputMode="decimal" placeholder="0.00" value={amount} onChange={(e) => setAmount(e.target.value)} />
              </Field>
              <Field label="Where the initial amount comes from">
                <MoneySourceSelect value={source} onChange={setSource} />
              </Field>
              <Field label="Starts (optional)" htmlFor="account-start">
                <Input id="account-start" type="date" value={startDate} onChange={(e) => setStartDate(e.target.value)} />
              </Field>
              <Field label="Ends (optional)" hint="What is left lapses at the end date." htmlFor="account-end">
                <Input id="account-end" name="end_date" type="date" value={endDate} onChange={(e) => setEndDate(e.target.value)} />
              </Field>
            </div>
            <Field label="Code" error={at("code")}>
              <RadioGroup value={codeMode} onValueChange={(v) => setCodeMode(v as CodeMode)} className="flex gap-x-6">
                {(["none", "generate", "typed"] as const).map((m) => (
                  <label key={m} className="flex items-center gap-x-2">
                    <RadioGroup.Item value={m} data-testid={`code-${m}`} />
                    <Text size="small">{m === "none" ? "No code" : m === "generate" ? "Generate a code" : "Type a code"}</Text>
                  </label>
                ))}
              </RadioGroup>
              {codeMode === "typed" ? <Input name="code" placeholder="ABCD-EFGH-JKLM-NPQR" value={code} onChange={(e) => setCode(e.target.value)} /> : null}
            </Field>
            <div className="grid grid-cols-2 gap-4">
              <Field label="Owner (optional)">
                <CustomerPicker value={owner} onChange={setOwner} testId="owner-picker" />
              </Field>
              <Field label="Members (optional)" hint="Other customers who may spend from it.">
                <CustomerPicker value={members} onChange={setMembers} multiple />
              </Field>
            </div>
            <Field label="Only for these products (optional)" hint="Leave empty to pay for anything.">
              <ProductPicker value={products} onChange={setProducts} />
            </Field>
            <label className="flex items-center gap-x-3">
              <Switch checked={canPayShipping} onCheckedChange={setCanPayShipping} />
              <Text size="small">Can pay for shipping</Text>
            </label>
            <Field label="Description (optional)">
              <Textarea value={description} onChange={(e) => setDescription(e.target.value)} />
            </Field>
          </div>
        </FocusModal.Body>
      </FocusModal.Content>
    </FocusModal>
  )
}
