import { Input, StatusBadge, Table, Text } from "@medusajs/ui"
import { useReport } from "../hooks/use-reports"
import { formatDate, formatMoney } from "../lib/format"
import { BUCKET_LABELS, EXPIRY_BUCKETS, type DeferredIncomeReport, type ProfitLossReport, type TrialBalanceReport } from "../lib/report-types"
import { BarChart } from "./bar-chart"
import { CsvButton } from "./csv-button"
import { LoadState, Section } from "./section"

/** A date input whose value is a calendar day (YYYY-MM-DD), as the report routes take it. */
export const DayInput = ({ label, value, onChange }: { label: string; value: string; onChange: (v: string) => void }) => (
  <label className="flex items-center gap-x-2">
    <Text size="small" className="text-ui-fg-subtle">
      {label}
    </Text>
    <Input size="small" type="date" aria-label={label} value={value} onChange={(e) => onChange(e.target.value)} />
  </label>
)

export const DeferredIncome = ({ asOf, currency }: { asOf: string; currency: string }) => {
  const query = { as_of: asOf || undefined, currency_code: currency || undefined }
  const { data, isLoading, error } = useReport<DeferredIncomeReport>("deferred-income", query)
  return (
    <LoadState isLoading={isLoading} error={error} empty={data && !data.reports.length && "No money in customer accounts yet."}>
      {data?.reports.map((r) => (
        <Section
          key={r.currency_code}
          title={`Deferred income · ${r.currency_code.toUpperCase()}`}
          subtitle={`Balances owed to customers at the end of ${asOf ? formatDate(`${asOf}T12:00:00Z`) : formatDate(data.as_of, true)}, by time to expiry.`}
          testId={`deferred-income-${r.currency_code}`}
          actions={<CsvButton path="/admin/ledger/reports/deferred-income" query={{ ...query, currency_code: r.currency_code }} name="deferred-income.csv" label="CSV" />}
        >
          <BarChart
            currency={r.currency_code}
            testId="deferred-income-chart"
            bars={EXPIRY_BUCKETS.map((b) => ({ label: BUCKET_LABELS[b], amount: r.totals.buckets[b].balance }))}
          />
          <Table>
            <Table.Header>
              <Table.Row>
                <Table.HeaderCell>Account type</Table.HeaderCell>
                <Table.HeaderCell className="text-right">Accounts</Table.HeaderCell>
                {EXPIRY_BUCKETS.map((b) => (
                  <Table.HeaderCell key={b} className="text-right">
                    {BUCKET_LABELS[b]}
                  </Table.HeaderCell>
                ))}
                <Table.HeaderCell className="text-right">Total</Table.HeaderCell>
              </Table.Row>
            </Table.Header>
            <Table.Body>
              {[...r.rows, r.totals].map((row) => (
                <Table.Row key={row.account_type_id ?? "totals"} data-testid={row.account_type_id ? `di-row-${row.account_type_code}` : "di-totals"} className={row.account_type_id ? "" : "font-medium"}>
                  <Table.Cell>{row.account_type_id ? row.name : "Total"}</Table.Cell>
                  <Table.Cell className="text-right">{row.accounts}</Table.Cell>
                  {EXPIRY_BUCKETS.map((b) => (
                    <Table.Cell key={b} className="text-right tabular-nums" data-testid={`di-${b}`}>
                      {formatMoney(row.buckets[b].balance, r.currency_code)}
                    </Table.Cell>
                  ))}
                  <Table.Cell className="text-right tabular-nums" data-testid="di-total">
                    {formatMoney(row.balance, r.currency_code)}
                  </Table.Cell>
                </Table.Row>
              ))}
            </Table.Body>
          </Table>
        </Section>
      ))}
    </LoadState>
  )
}

export const ProfitLoss = ({ from, to, currency }: { from: string; to: string; currency: string }) => {
  const query = { from: from || undefined, to: to || undefined, currency_code: currency || undefined }
  const { data, isLoading, error } = useReport<ProfitLossReport>("profit-loss", query)
  return (
    <LoadState isLoading={isLoading} error={error} empty={data && !data.reports.length && "Nothing moved in this period."}>
      {data?.reports.map((r) => (
        <Section
          key={r.currency_code}
          title={`Profit and loss · ${r.currency_code.toUpperCase()}`}
          subtitle={from && to ? `From the start of ${formatDate(`${from}T12:00:00Z`)} to the end of ${formatDate(`${to}T12:00:00Z`)}` : `${formatDate(data.from, true)} – ${formatDate(data.to, true)}`}
          testId={`profit-loss-${r.currency_code}`}
          actions={<CsvButton path="/admin/ledger/reports/profit-loss" query={{ ...query, currency_code: r.currency_code }} name="profit-loss.csv" label="CSV" />}
        >
          <Table>
            <Table.Body>
              {r.lines.map((l) => (
                <Table.Row key={l.key} data-testid={`pl-${l.key}`}>
                  <Table.Cell>{l.label}</Table.Cell>
                  <Table.Cell className="text-ui-fg-subtle text-right">{l.entries} entries</Table.Cell>
                  <Table.Cell className="text-right tabular-nums" data-testid="pl-amount">
                    {formatMoney(l.amount, r.currency_code)}
                  </Table.Cell>
                </Table.Row>
              ))}
              <Table.Row className="font-medium" data-testid="pl-sum">
                <Table.Cell>Sum of the lines</Table.Cell>
                <Table.Cell />
                <Table.Cell className="text-right tabular-nums">{formatMoney(r.sum, r.currency_code)}</Table.Cell>
              </Table.Row>
              <Table.Row className="font-medium" data-testid="pl-change">
                <Table.Cell>Change in deferred income over the period</Table.Cell>
                <Table.Cell className="text-right">
                  <StatusBadge color={r.balanced ? "green" : "red"}>{r.balanced ? "equals the sum" : "differs"}</StatusBadge>
                </Table.Cell>
                <Table.Cell className="text-right tabular-nums">{formatMoney(r.change, r.currency_code)}</Table.Cell>
              </Table.Row>
            </Table.Body>
          </Table>
        </Section>
      ))}
    </LoadState>
  )
}

export const TrialBalance = ({ asOf, currency }: { asOf: string; currency: string }) => {
  const query = { as_of: asOf || undefined, currency_code: currency || undefined }
  const { data, isLoading, error } = useReport<TrialBalanceReport>("trial-balance", query)
  return (
    <LoadState isLoading={isLoading} error={error} empty={data && !data.reports.length && "The ledger is empty."}>
      {data?.reports.map((r) => (
        <Section
          key={r.currency_code}
          title={`Trial balance · ${r.currency_code.toUpperCase()}`}
          subtitle={`At the end of ${asOf ? formatDate(`${asOf}T12:00:00Z`) : formatDate(data.as_of, true)}. Every transfer has two sides, so the whole sums to zero.`}
          testId={`trial-balance-${r.currency_code}`}
          actions={<CsvButton path="/admin/ledger/reports/trial-balance" query={{ ...query, currency_code: r.currency_code }} name="trial-balance.csv" label="CSV" />}
        >
          <Table>
            <Table.Header>
              <Table.Row>
                <Table.HeaderCell>Account type</Table.HeaderCell>
                <Table.HeaderCell className="text-right">Accounts</Table.HeaderCell>
                <Table.HeaderCell className="text-right">Balance</Table.HeaderCell>
                <Table.HeaderCell className="text-right">With subtypes</Table.HeaderCell>
              </Table.Row>
            </Table.Header>
            <Table.Body>
              {r.rows.map((row) => (
                <Table.Row key={row.account_type_id} data-testid={`tb-${row.account_type_code}`}>
                  <Table.Cell>
                    <span style={{ paddingLeft: `${row.depth * 1.25}rem` }}>{row.name}</span>
                  </Table.Cell>
                  <Table.Cell className="text-right">{row.accounts}</Table.Cell>
                  <Table.Cell className="text-right tabular-nums">{formatMoney(row.balance, r.currency_code)}</Table.Cell>
                  <Table.Cell className="text-right tabular-nums">{formatMoney(row.subtree_balance, r.currency_code)}</Table.Cell>
                </Table.Row>
              ))}
              <Table.Row className="font-medium" data-testid="tb-total">
                <Table.Cell>Total</Table.Cell>
                <Table.Cell className="text-right">
                  <StatusBadge color={r.balanced ? "green" : "red"}>{r.balanced ? "balanced" : "out of balance"}</StatusBadge>
                </Table.Cell>
                <Table.Cell className="text-right tabular-nums">{formatMoney(r.total, r.currency_code)}</Table.Cell>
                <Table.Cell />
              </Table.Row>
            </Table.Body>
          </Table>
        </Section>
      ))}
    </LoadState>
  )
}
