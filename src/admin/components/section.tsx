import { Container, Heading, Text } from "@medusajs/ui"
import type { ReactNode } from "react"

/** A Container with the admin's usual header row: title, optional subtitle, actions. */
export const Section = ({
  title,
  subtitle,
  actions,
  children,
  testId,
  level = "h2",
}: {
  title: ReactNode
  subtitle?: ReactNode
  actions?: ReactNode
  children?: ReactNode
  testId?: string
  level?: "h1" | "h2"
}) => (
  <Container className="divide-y p-0" data-testid={testId}>
    <div className="flex items-center justify-between gap-x-4 px-6 py-4">
      <div>
        <Heading level={level}>{title}</Heading>
        {subtitle ? (
          <Text size="small" className="text-ui-fg-subtle">
            {subtitle}
          </Text>
        ) : null}
      </div>
      {actions ? <div className="flex items-center gap-x-2">{actions}</div> : null}
    </div>
    {children}
  </Container>
)

/** Label/value rows, as the admin's detail pages show them. */
export const KeyValues = ({ rows }: { rows: [ReactNode, ReactNode, string?][] }) => (
  <>
    {rows.map(([label, value, testId], i) => (
      <div key={i} className="text-ui-fg-subtle grid grid-cols-2 items-center px-6 py-3" data-testid={testId}>
        <Text size="small" weight="plus" leading="compact">
          {label}
        </Text>
        <Text size="small" leading="compact" className="whitespace-pre-line break-words">
          {value ?? "—"}
        </Text>
      </div>
    ))}
  </>
)

/** Loading, error and empty states every page shares. */
export const LoadState = ({ isLoading, error, empty, children }: { isLoading?: boolean; error?: unknown; empty?: boolean | string; children?: ReactNode }) => {
  if (isLoading) {
    return (
      <div className="px-6 py-4">
        <Text size="small" className="text-ui-fg-muted">
          Loading…
        </Text>
      </div>
    )
  }
  if (error) {
    return (
      <div className="px-6 py-4" role="alert">
        <Text size="small" className="text-ui-fg-error">
          {(error as Error).message || "Could not load this."}
        </Text>
      </div>
    )
  }
  if (empty) {
    return (
      <div className="px-6 py-4">
        <Text size="small" className="text-ui-fg-muted">
          {typeof empty === "string" ? empty : "Nothing here yet."}
        </Text>
      </div>
    )
  }
  return <>{children}</>
}
