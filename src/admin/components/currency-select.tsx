import { Select } from "@medusajs/ui"
import { useEffect } from "react"
import { useStoreCurrencies } from "../hooks/use-store-currencies"

/**
 * The store's currencies (its default first). With `pickDefault`, an empty value is set to
 * the default as soon as the currencies load; `allLabel` adds an "all" choice (value "all").
 */
export const CurrencySelect = ({
  value,
  onChange,
  testId,
  pickDefault = true,
  allLabel,
  size,
}: {
  value: string
  onChange: (v: string) => void
  testId?: string
  pickDefault?: boolean
  allLabel?: string
  size?: "small" | "base"
}) => {
  const currencies = useStoreCurrencies()
  useEffect(() => {
    if (pickDefault && !value && currencies.data?.length) onChange(currencies.data[0])
  }, [currencies.data, value, pickDefault])
  return (
    <Select size={size} value={value} onValueChange={onChange}>
      <Select.Trigger data-testid={testId}>
        <Select.Value placeholder="Currency" />
      </Select.Trigger>
      <Select.Content>
        {allLabel ? <Select.Item value="all">{allLabel}</Select.Item> : null}
        {(currencies.data ?? []).map((c) => (
          <Select.Item key={c} value={c}>
            {c.toUpperCase()}
          </Select.Item>
        ))}
      </Select.Content>
    </Select>
  )
}
