import { Text } from "@medusajs/ui"
import { formatDate, formatMoney } from "../lib/format"

/**
 * The balance over time as a step line in plain SVG: a chart library would weigh more
 * in the admin bundle than this whole page.
 */
export const BalanceChart = ({ points, currency }: { points: { at: string; balance: string }[]; currency: string }) => {
  if (points.length < 2) {
    return (
      <Text size="small" className="text-ui-fg-muted px-6 py-4">
        Not enough history for a chart yet.
      </Text>
    )
  }
  const width = 640
  const height = 160
  const pad = { left: 8, right: 8, top: 12, bottom: 20 }
  const values = points.map((p) => Number(p.balance))
  const min = Math.min(0, ...values)
  const max = Math.max(0, ...values)
  const span = max - min || 1
  const x = (i: number) => pad.left + (i / (points.length - 1)) * (width - pad.left - pad.right)
  const y = (v: number) => pad.top + (1 - (v - min) / span) * (height - pad.top - pad.bottom)
  let path = `M ${x(0)} ${y(values[0])}`
  for (let i = 1; i < values.length; i++) {
    path += ` H ${x(i)} V ${y(values[i])}`
  }
  const last = points[points.length - 1]
  return (
    <div className="px-6 py-4" data-testid="balance-chart">
      <svg viewBox={`0 0 ${width} ${height}`} className="h-40 w-full" role="img" aria-label="Balance over time">
        <line x1={pad.left} x2={width - pad.right} y1={y(0)} y2={y(0)} className="stroke-ui-border-base" strokeWidth={1} />
        <path d={path} fill="none" className="stroke-ui-fg-interactive" strokeWidth={2} />
        {values.map((v, i) => (
          <circle key={i} cx={x(i)} cy={y(v)} r={1.5} className="fill-ui-fg-interactive">
            <title>{`${formatDate(points[i].at, true)}: ${formatMoney(points[i].balance, currency)}`}</title>
          </circle>
        ))}
      </svg>
      <div className="text-ui-fg-subtle flex justify-between">
        <Text size="xsmall">{formatDate(points[0].at)}</Text>
        <Text size="xsmall">
          {formatDate(last.at)}: {formatMoney(last.balance, currency)}
        </Text>
      </div>
    </div>
  )
}
