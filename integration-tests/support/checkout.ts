import type { TestStore } from "./store"

type Headers = Record<string, string>

/** The calls a storefront makes (as @medusajs/js-sdk would), returning status and body. */
export function storefront(api: any, store: TestStore) {
  const guest = { "x-publishable-api-key": store.publishableKey }
  const send = async (method: "get" | "post" | "delete", url: string, body: unknown, headers: Headers = guest) => {
    const config = { headers, validateStatus: () => true }
    const res = method === "post" ? await api.post(url, body ?? {}, config) : await api[method](url, config)
    return { status: res.status as number, data: res.data }
  }
  const ok = async (method: "get" | "post" | "delete", url: string, body: unknown, headers?: Headers) => {
    const res = await send(method, url, body, headers)
    if (res.status >= 300) {
      throw new Error(`${method.toUpperCase()} ${url} → ${res.status} ${JSON.stringify(res.data)}`)
    }
    return res.data
  }
  return {
    guest,
    send,
    /** A cart with items and shipping chosen, ready to pay. */
    async cart(
      items: { variant_id: string; quantity: number; metadata?: Record<string, unknown> }[],
      headers: Headers = guest,
      email = "shopper@example.com"
    ) {
      const { cart } = await ok(
        "post",
        "/store/carts",
        {
          region_id: store.region.id,
          sales_channel_id: store.channel.id,
          email,
          items,
          shipping_address: { first_name: "A", last_name: "B", address_1: "1 Main St", city: "NYC", country_code: "us", postal_code: "10001" },
        },
        headers
      )
      await ok("post", `/store/carts/${cart.id}/shipping-methods`, { option_id: store.shippingOption.id }, headers)
      return (await ok("get", `/store/carts/${cart.id}`, undefined, headers)).cart
    },
    allocate: (cartId: string, body: Record<string, unknown>, headers: Headers = guest) =>
      send("post", `/store/carts/${cartId}/account-allocations`, body, headers),
    deallocate: (cartId: string, id: string, headers: Headers = guest) =>
      send("delete", `/store/carts/${cartId}/account-allocations/${id}`, undefined, headers),
    getCart: async (cartId: string, headers: Headers = guest) =>
      (await ok("get", `/store/carts/${cartId}?fields=*credit_lines,+total,+credit_line_total`, undefined, headers)).cart,
    /** Opens a payment session with a provider for what the cart still owes. */
    async pay(cartId: string, provider_id: string, data: Record<string, unknown> = {}, headers: Headers = guest) {
      const { payment_collection } = await ok("post", "/store/payment-collections", { cart_id: cartId }, headers)
      return send("post", `/store/payment-collections/${payment_collection.id}/payment-sessions`, { provider_id, data }, headers)
    },
    complete: (cartId: string, headers: Headers = guest) => send("post", `/store/carts/${cartId}/complete`, {}, headers),
  }
}

/** Polls until `check` passes: subscribers run after the request that emitted the event. */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 15000): Promise<T> {
  const started = Date.now()
  for (;;) {
    try {
      return await check()
    } catch (e) {
      if (Date.now() - started > timeoutMs) throw e
      await new Promise((r) => setTimeout(r, 200))
    }
  }
}
