import { useQuery } from "@tanstack/react-query"
import { sdk } from "../lib/sdk"

/** The store's currencies (default first), from Medusa's own store settings. */
export function useStoreCurrencies() {
  return useQuery({
    queryKey: ["ledger-store-currencies"],
    queryFn: async () => {
      const { stores } = await sdk.admin.store.list({ fields: "id,supported_currencies.*" } as any)
      const currencies = (stores[0] as any)?.supported_currencies ?? []
      return [...currencies]
        .sort((a: any, b: any) => Number(b.is_default) - Number(a.is_default))
        .map((c: any) => String(c.currency_code).toLowerCase())
    },
    staleTime: 5 * 60_000,
  })
}
