import { Text } from "@medusajs/ui"

/** A plain progress bar with its label ("3 of 8 requests"); no chart library. */
export const ProgressBar = ({ done, total, label, testId = "progress" }: { done: number; total: number; label?: string; testId?: string }) => {
  const pct = total ? Math.round((done / total) * 100) : 0
  return (
    <div className="flex flex-col gap-y-1" data-testid={testId}>
      <div
        className="bg-ui-bg-component h-2 w-full overflow-hidden rounded-full"
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={done}
      >
        <div className="bg-ui-fg-interactive h-full rounded-full transition-[width]" style={{ width: `${pct}%` }} />
      </div>
      {label ? (
        <Text size="small" className="text-ui-fg-subtle" data-testid={`${testId}-label`}>
          {label}
        </Text>
      ) : null}
    </div>
  )
}
