import { defineRouteConfig } from "@medusajs/admin-sdk"
import { Container, Heading, Tabs, Text } from "@medusajs/ui"
import { useState } from "react"
import { CurrencySelect } from "../../../components/currency-select"
import { DayInput, DeferredIncome, ProfitLoss, TrialBalance } from "../../../components/reports"

const today = () => new Date().toISOString().slice(0, 10)
const monthStart = () => `${today().slice(0, 8)}01`

/** Deferred income, profit and loss, trial balance: computed from the entries, per currency. */
const ReportsPage = () => {
  const [currency, setCurrency] = useState("all")
  const [asOf, setAsOf] = useState(today())
  const [from, setFrom] = useState(monthStart())
  const [to, setTo] = useState(today())
  const [tab, setTab] = useState("deferred-income")
  const code = currency === "all" ? "" : currency
  return (
    <div className="flex flex-col gap-y-3">
      <Container className="flex flex-wrap items-center justify-between gap-4 px-6 py-4">
        <div>
          <Heading level="h1">Reports</Heading>
          <Text size="small" className="text-ui-fg-subtle">
            Figures are computed from the ledger's entries, so a past date shows the books as they stood then.
          </Text>
        </div>
        <div className="flex flex-wrap items-center gap-3">
          {tab === "profit-loss" ? (
            <>
              <DayInput label="From" value={from} onChange={setFrom} />
              <DayInput label="To" value={to} onChange={setTo} />
            </>
          ) : (
            <DayInput label="As of" value={asOf} onChange={setAsOf} />
          )}
          <CurrencySelect size="small" value={currency} onChange={setCurrency} testId="report-currency" allLabel="All currencies" pickDefault={false} />
        </div>
      </Container>
      <Tabs value={tab} onValueChange={setTab}>
        <Tabs.List>
          <Tabs.Trigger value="deferred-income">Deferred income</Tabs.Trigger>
          <Tabs.Trigger value="profit-loss">Profit and loss</Tabs.Trigger>
          <Tabs.Trigger value="trial-balance">Trial balance</Tabs.Trigger>
        </Tabs.List>
        <Tabs.Content value="deferred-income" className="mt-3 flex flex-col gap-y-3">
          <DeferredIncome asOf={asOf} currency={code} />
        </Tabs.Content>
        <Tabs.Content value="profit-loss" className="mt-3 flex flex-col gap-y-3">
          <ProfitLoss from={from} to={to} currency={code} />
        </Tabs.Content>
        <Tabs.Content value="trial-balance" className="mt-3 flex flex-col gap-y-3">
          <TrialBalance asOf={asOf} currency={code} />
        </Tabs.Content>
      </Tabs>
    </div>
  )
}

export const config = defineRouteConfig({ label: "Reports", rank: 3 })

export default ReportsPage
