import { Select } from "@medusajs/ui"

/**
 * Where new money comes from, in the merchant's words: money received lands in Bank
 * (it was paid for), goodwill or a promotion comes from Unpaid source (it was not).
 */
export type MoneySource = "received" | "goodwill"

/**
 * The core account each choice posts from, by role reference: the server resolves it in the
 * posting's currency, so a form never depends on a list of core accounts having loaded
 * (submitting before it had made "money received" fall back to the Unpaid source default).
 */
export const SOURCE_REF: Record<MoneySource, string> = { received: "@bank", goodwill: "@unpaid_source" }

export const MoneySourceSelect = ({ value, onChange, id }: { value: MoneySource; onChange: (v: MoneySource) => void; id?: string }) => (
  <Select value={value} onValueChange={(v) => onChange(v as MoneySource)}>
    <Select.Trigger id={id} data-testid="money-source">
      <Select.Value />
    </Select.Trigger>
    <Select.Content>
      <Select.Item value="received">Money received (paid by the customer)</Select.Item>
      <Select.Item value="goodwill">Goodwill or promotion (not paid for)</Select.Item>
    </Select.Content>
  </Select>
)
