import { defineWidgetConfig } from "@medusajs/admin-sdk"
import type { AdminCustomer, DetailWidgetProps } from "@medusajs/framework/types"
import { Button, Drawer, Input, Table, Textarea, toast } from "@medusajs/ui"
import { useState } from "react"
import { Link } from "react-router-dom"
import { AccountStatusBadge } from "../components/account-status-badge"
import { CurrencySelect } from "../components/currency-select"
import { DrawerActions } from "../components/form-actions"
import { Field, FormError } from "../components/field"
import { MoneySourceSelect, type MoneySource } from "../components/money-source-select"
import { LoadState, Section } from "../components/section"
import { useAccounts, useIdempotencyKey, useLedgerPost } from "../hooks/use-accounts"
import { errorField, errorSentence } from "../lib/errors"
import { endOfDay, formatDate, formatMoney, maskCode } from "../lib/format"

const IssueCreditDrawer = ({ customerId }: { customerId: string }) => {
  const [open, setOpen] = useState(false)
  const [amount, setAmount] = useState("")
  const [currency, setCurrency] = useState("")
  const [source, setSource] = useState<MoneySource>("goodwill")
  const [note, setNote] = useState("")
  const [expires, setExpires] = useState("")
  const [error, setError] = useState<unknown>(null)
  const [key, renewKey] = useIdempotencyKey("store-credit")
  const issue = useLedgerPost<Record<string, unknown>>(`/admin/customers/${customerId}/store-credit`)

  const submit = async () => {
    setError(null)
    try {
      await issue.mutateAsync({
        amount: amount.trim(),
        currency_code: currency,
        source,
        idempotency_key: key,
        ...(note.trim() ? { description: note.trim() } : {}),
        ...(expires ? { expires_at: endOfDay(expires) } : {}),
      })
      toast.success("Store credit issued")
      renewKey()
      setAmount("")
      setNote("")
      setExpires("")
      setOpen(false)
    } catch (e) {
      setError(e)
    }
  }
  const field = errorField(error)
  return (
    <Drawer open={open} onOpenChange={setOpen}>
      <Drawer.Trigger asChild>
        <Button size="small" variant="secondary" data-testid="issue-store-credit">
          Issue store credit
        </Button>
      </Drawer.Trigger>
      <Drawer.Content>
        <Drawer.Header>
          <Drawer.Title>Issue store credit</Drawer.Title>
        </Drawer.Header>
        <Drawer.Body className="flex flex-col gap-y-4">
          <div className="grid grid-cols-2 gap-4">
            <Field label="Amount" error={field === "amount" ? errorSentence(error) : null} htmlFor="credit-amount">
              <Input id="credit-amount" inputMode="decimal" placeholder="0.00" value={amount} onChange={(e) => setAmount(e.target.value)} />
            </Field>
            <Field label="Currency">
              <CurrencySelect value={currency} onChange={setCurrency} testId="credit-currency" />
            </Field>
          </div>
          <Field label="Why">
            <MoneySourceSelect value={source} onChange={setSource} />
          </Field>
          <Field label="Expires (optional)" hint="The credit joins the customer's wallet; with a date, that part of the wallet lapses at the end of that day (spent first, before credit that expires later).">
            <Input type="date" value={expires} onChange={(e) => setExpires(e.target.value)} />
          </Field>
          <Field label="Note">
            <Textarea value={note} onChange={(e) => setNote(e.target.value)} />
          </Field>
          <FormError error={error && field !== "amount" ? errorSentence(error) : null} />
        </Drawer.Body>
        <DrawerActions label="Issue" onSubmit={submit} busy={issue.isPending} disabled={!amount.trim() || !currency} testId="issue-store-credit-submit" />
      </Drawer.Content>
    </Drawer>
  )
}

/** The customer's accounts (owned and member of) with balances, and store credit in one step. */
const CustomerAccountsWidget = ({ data: customer }: DetailWidgetProps<AdminCustomer>) => {
  const { data, isLoading, error } = useAccounts({ customer_id: customer.id, limit: 50, order: "-created_at" })
  return (
    <Section title="Accounts" subtitle="Store credit, gift cards and credit accounts on the ledger." actions={<IssueCreditDrawer customerId={customer.id} />} testId="customer-accounts">
      <LoadState isLoading={isLoading} error={error} empty={!data?.accounts.length && "This customer has no accounts yet."}>
        <Table>
          <Table.Header>
            <Table.Row>
              <Table.HeaderCell>Account</Table.HeaderCell>
              <Table.HeaderCell>Status</Table.HeaderCell>
              <Table.HeaderCell>Ends</Table.HeaderCell>
              <Table.HeaderCell className="text-right">Balance</Table.HeaderCell>
              <Table.HeaderCell className="text-right">Available</Table.HeaderCell>
            </Table.Row>
          </Table.Header>
          <Table.Body>
            {data?.accounts.map((a) => (
              <Table.Row key={a.id} data-testid="customer-account">
                <Table.Cell>
                  <Link className="text-ui-fg-interactive" to={`/accounts/${a.id}`}>
                    {a.name}
                  </Link>
                  {a.code ? <span className="text-ui-fg-muted ml-2 font-mono text-xs">{maskCode(a.code)}</span> : null}
                  {a.customer_id !== customer.id ? <span className="text-ui-fg-muted ml-2 text-xs">(member)</span> : null}
                </Table.Cell>
                <Table.Cell>
                  <AccountStatusBadge status={a.status} />
                </Table.Cell>
                <Table.Cell>{formatDate(a.end_date)}</Table.Cell>
                <Table.Cell className="text-right tabular-nums" data-testid="customer-account-balance">
                  {formatMoney(a.balance, a.currency_code)}
                </Table.Cell>
                <Table.Cell className="text-right tabular-nums">{a.available === null ? "Unlimited" : formatMoney(a.available, a.currency_code)}</Table.Cell>
              </Table.Row>
            ))}
          </Table.Body>
        </Table>
      </LoadState>
    </Section>
  )
}

export const config = defineWidgetConfig({ zone: "customer.details.after" })

export default CustomerAccountsWidget
