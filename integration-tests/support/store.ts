import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import {
  createApiKeysWorkflow,
  createProductsWorkflow,
  createRegionsWorkflow,
  createSalesChannelsWorkflow,
  createShippingOptionsWorkflow,
  createShippingProfilesWorkflow,
  createStockLocationsWorkflow,
  linkSalesChannelsToApiKeyWorkflow,
  linkSalesChannelsToStockLocationWorkflow,
} from "@medusajs/medusa/core-flows"

export type TestStore = Awaited<ReturnType<typeof seedStore>>

/**
 * A small real store: a USD region paying with the account provider and Medusa's system
 * provider, a sales channel with a publishable key, a flat 10.00 shipping option, and
 * products (a 50.00 shirt, a 20.00 mug, a 25.00 gift card).
 */
export async function seedStore(container: MedusaContainer) {
  const link = container.resolve(ContainerRegistrationKeys.LINK)
  const {
    result: [channel],
  } = await createSalesChannelsWorkflow(container).run({ input: { salesChannelsData: [{ name: "Web" }] } })
  const {
    result: [region],
  } = await createRegionsWorkflow(container).run({
    input: {
      regions: [
        {
          name: "US",
          currency_code: "usd",
          countries: ["us"],
          automatic_taxes: false,
          payment_providers: ["pp_account_account", "pp_system_default"],
        },
      ],
    },
  })
  const {
    result: [key],
  } = await createApiKeysWorkflow(container).run({
    input: { api_keys: [{ title: "Web", type: "publishable", created_by: "test" }] },
  })
  await linkSalesChannelsToApiKeyWorkflow(container).run({ input: { id: key.id, add: [channel.id] } })

  const {
    result: [profile],
  } = await createShippingProfilesWorkflow(container).run({ input: { data: [{ name: "Default", type: "default" }] } })
  const {
    result: [location],
  } = await createStockLocationsWorkflow(container).run({ input: { locations: [{ name: "Warehouse" }] } })
  await link.create({
    [Modules.STOCK_LOCATION]: { stock_location_id: location.id },
    [Modules.FULFILLMENT]: { fulfillment_provider_id: "manual_manual" },
  })
  const fulfillment = container.resolve(Modules.FULFILLMENT)
  const set = await fulfillment.createFulfillmentSets({
    name: "Warehouse shipping",
    type: "shipping",
    service_zones: [{ name: "US", geo_zones: [{ country_code: "us", type: "country" }] }],
  })
  await link.create({
    [Modules.STOCK_LOCATION]: { stock_location_id: location.id },
    [Modules.FULFILLMENT]: { fulfillment_set_id: set.id },
  })
  await linkSalesChannelsToStockLocationWorkflow(container).run({ input: { id: location.id, add: [channel.id] } })
  const {
    result: [shippingOption],
  } = await createShippingOptionsWorkflow(container).run({
    input: [
      {
        name: "Standard",
        price_type: "flat",
        provider_id: "manual_manual",
        service_zone_id: set.service_zones[0].id,
        shipping_profile_id: profile.id,
        type: { label: "Standard", description: "3-5 days", code: "standard" },
        prices: [{ currency_code: "usd", amount: 10 }],
        rules: [
          { attribute: "enabled_in_store", value: "true", operator: "eq" },
          { attribute: "is_return", value: "false", operator: "eq" },
        ],
      },
    ],
  })

  const product = (title: string, price: number, extra: Record<string, unknown> = {}) => ({
    title,
    status: "published" as const,
    shipping_profile_id: profile.id,
    options: [{ title: "Default", values: ["Default"] }],
    variants: [
      { title, options: { Default: "Default" }, manage_inventory: false, prices: [{ amount: price, currency_code: "usd" }] },
    ],
    sales_channels: [{ id: channel.id }],
    ...extra,
  })
  const { result: products } = await createProductsWorkflow(container).run({
    input: {
      products: [product("Shirt", 50), product("Mug", 20), product("Gift card", 25, { is_giftcard: true })],
    },
  })
  const [shirt, mug, giftCard] = products
  return {
    region,
    channel,
    publishableKey: key.token,
    shippingOption,
    shirt: { product: shirt, variant: shirt.variants[0] },
    mug: { product: mug, variant: mug.variants[0] },
    giftCard: { product: giftCard, variant: giftCard.variants[0] },
  }
}

/** Registers and logs in a shopper through the real auth and store routes. */
export async function registerShopper(api: any, publishableKey: string, email: string) {
  const password = "shopper-password"
  const headers = { "x-publishable-api-key": publishableKey }
  const reg = await api.post("/auth/customer/emailpass/register", { email, password }, { headers })
  const created = await api.post(
    "/store/customers",
    { email, first_name: "Test", last_name: "Shopper" },
    { headers: { ...headers, authorization: `Bearer ${reg.data.token}` } }
  )
  const login = await api.post("/auth/customer/emailpass", { email, password }, { headers })
  return {
    customer: created.data.customer,
    password,
    headers: { ...headers, authorization: `Bearer ${login.data.token}` },
  }
}
