import { Label, Text } from "@medusajs/ui"
import type { ReactNode } from "react"

/** A labelled form field with its hint and, when the server refused it, the sentence why. */
export const Field = ({ label, hint, error, children, htmlFor }: { label: string; hint?: ReactNode; error?: string | null; children: ReactNode; htmlFor?: string }) => (
  <div className="flex flex-col gap-y-2">
    <Label htmlFor={htmlFor} size="small" weight="plus">
      {label}
    </Label>
    {children}
    {hint && !error ? (
      <Text size="small" className="text-ui-fg-subtle">
        {hint}
      </Text>
    ) : null}
    {error ? (
      <Text size="small" className="text-ui-fg-error" role="alert" data-testid="field-error">
        {error}
      </Text>
    ) : null}
  </div>
)

/** A server refusal that does not belong to one field. */
export const FormError = ({ error }: { error?: string | null }) =>
  error ? (
    <div className="bg-ui-bg-subtle border-ui-border-error rounded-md border px-3 py-2" role="alert" data-testid="form-error">
      <Text size="small" className="text-ui-fg-error">
        {error}
      </Text>
    </div>
  ) : null
