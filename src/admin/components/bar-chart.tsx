import { Text } from "@medusajs/ui"
import { formatMoney } from "../lib/format"

/** Horizontal bars of amounts per bucket, plain SVG (see balance-chart.tsx for why). */
export const BarChart = ({ bars, currency, testId }: { bars: { label: string; amount: string }[]; currency: string; testId?: string }) => {
  const max = Math.max(...bars.map((b) => Math.abs(Number(b.amount))), 1)
  return (
    <div className="flex flex-col gap-y-2 px-6 py-4" data-testid={testId}>
      {bars.map((bar) => (
        <div key={bar.label} className="grid grid-cols-[8rem_1fr_8rem] items-center gap-x-3">
          <Text size="small" className="text-ui-fg-subtle">
            {bar.label}
          </Text>
          <svg viewBox="0 0 100 8" preserveAspectRatio="none" className="h-3 w-full" aria-hidden>
            <rect x={0} y={0} width={100} height={8} className="fill-ui-bg-component" rx={2} />
            <rect x={0} y={0} width={(Math.abs(Number(bar.amount)) / max) * 100} height={8} className="fill-ui-fg-interactive" rx={2} />
          </svg>
          <Text size="small" className="text-right tabular-nums">
            {formatMoney(bar.amount, currency)}
          </Text>
        </div>
      ))}
    </div>
  )
}
