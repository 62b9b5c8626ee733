import { Badge, Input, Text } from "@medusajs/ui"
import { useQuery } from "@tanstack/react-query"
import { useState } from "react"
import { sdk } from "../lib/sdk"

type Option = { id: string; label: string; sublabel?: string }

/** Search-as-you-type over Medusa's own admin API; picks one or many ids. */
const Picker = ({
  kind,
  search,
  value,
  onChange,
  multiple,
  placeholder,
  testId,
}: {
  kind: string
  search: (q: string) => Promise<Option[]>
  value: Option[]
  onChange: (v: Option[]) => void
  multiple?: boolean
  placeholder: string
  testId?: string
}) => {
  const [q, setQ] = useState("")
  const results = useQuery({ queryKey: ["ledger-picker", kind, q], queryFn: () => search(q), enabled: q.trim().length > 0 })
  const chosen = new Set(value.map((v) => v.id))
  return (
    <div className="flex flex-col gap-y-2" data-testid={testId}>
      {value.length ? (
        <div className="flex flex-wrap gap-2">
          {value.map((v) => (
            <Badge key={v.id} size="small">
              {v.label}
              <button type="button" className="ml-1" aria-label={`Remove ${v.label}`} onClick={() => onChange(value.filter((x) => x.id !== v.id))}>
                ×
              </button>
            </Badge>
          ))}
        </div>
      ) : null}
      {multiple || !value.length ? <Input size="small" type="search" placeholder={placeholder} value={q} onChange={(e) => setQ(e.target.value)} /> : null}
      {q.trim() && results.data ? (
        <div className="border-ui-border-base max-h-48 overflow-y-auto rounded-md border">
          {results.data.length === 0 ? (
            <Text size="small" className="text-ui-fg-muted px-3 py-2">
              No match.
            </Text>
          ) : (
            results.data
              .filter((o) => !chosen.has(o.id))
              .map((o) => (
                <button
                  type="button"
                  key={o.id}
                  className="hover:bg-ui-bg-base-hover flex w-full flex-col px-3 py-2 text-left"
                  onClick={() => {
                    onChange(multiple ? [...value, o] : [o])
                    setQ("")
                  }}
                >
                  <Text size="small">{o.label}</Text>
                  {o.sublabel ? (
                    <Text size="xsmall" className="text-ui-fg-subtle">
                      {o.sublabel}
                    </Text>
                  ) : null}
                </button>
              ))
          )}
        </div>
      ) : null}
    </div>
  )
}

export type PickedCustomer = Option
export type PickedProduct = Option

async function searchCustomers(q: string): Promise<Option[]> {
  const { customers } = await sdk.admin.customer.list({ q, limit: 8, fields: "id,email,first_name,last_name" } as any)
  return customers.map((c: any) => ({
    id: c.id,
    label: c.email,
    sublabel: [c.first_name, c.last_name].filter(Boolean).join(" ") || undefined,
  }))
}

async function searchProducts(q: string): Promise<Option[]> {
  const { products } = await sdk.admin.product.list({ q, limit: 8, fields: "id,title,handle" } as any)
  return products.map((p: any) => ({ id: p.id, label: p.title, sublabel: p.handle }))
}

export const CustomerPicker = (props: { value: Option[]; onChange: (v: Option[]) => void; multiple?: boolean; placeholder?: string; testId?: string }) => (
  <Picker kind="customers" search={searchCustomers} placeholder={props.placeholder ?? "Search customers by email or name"} {...props} />
)

export const ProductPicker = (props: { value: Option[]; onChange: (v: Option[]) => void; testId?: string }) => (
  <Picker kind="products" search={searchProducts} placeholder="Search products" multiple {...props} />
)
