import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import {
  createApiKeysWorkflow,
  createProductsWorkflow,
  createRegionsWorkflow,
  createShippingOptionsWorkflow,
  createShippingProfilesWorkflow,
  createStockLocationsWorkflow,
  linkSalesChannelsToApiKeyWorkflow,
  linkSalesChannelsToStockLocationWorkflow,
  updateStoresWorkflow,
} from "@medusajs/medusa/core-flows"

/** Names the seed finds its things by, so a second run reuses them instead of duplicating. */
const NAMES = {
  region: "United States",
  location: "Main warehouse",
  fulfillmentSet: "Main warehouse shipping",
  serviceZone: "United States",
  shippingOption: "Standard shipping",
}

export const SHIPPING_PRICE = 10

type ProductSpec = {
  handle: string
  title: string
  description: string
  is_giftcard?: boolean
  /** option value → price in USD */
  prices: Record<string, number>
  option: string
}

const PRODUCTS: ProductSpec[] = [
  { handle: "ledger-tee", title: "Ledger T-shirt", description: "A soft cotton tee with a balanced print.", option: "Size", prices: { S: 50, M: 50, L: 50 } },
  { handle: "debit-mug", title: "Debit & Credit mug", description: "Two handles, one for each side.", option: "Style", prices: { Default: 20 } },
  { handle: "tote-bag", title: "Double-entry tote", description: "Carries everything twice.", option: "Style", prices: { Default: 15 } },
  {
    handle: "gift-card",
    title: "Gift card",
    description: "A code account in the ledger, issued per unit when the order is paid.",
    option: "Amount",
    is_giftcard: true,
    prices: { "25 USD": 25, "50 USD": 50, "100 USD": 100 },
  },
]

export type SeededProduct = { id: string; handle: string; title: string; variants: { id: string; title: string; price: number }[] }

export type SeededStore = {
  region_id: string
  sales_channel_id: string
  publishable_key: string
  shipping_option_id: string
  stock_location_id: string
  products: Record<string, SeededProduct>
}

/**
 * A real, sellable store on the app's defaults (the default store, sales channel and
 * publishable key Medusa creates at start-up): a USD region paying with the account
 * provider and Medusa's system provider, a stock location with a fulfillment set and a flat
 * 10.00 shipping option, and products (a 50.00 tee, a 20.00 mug, a 15.00 tote, a gift card
 * in three amounts). Finds everything it made on an earlier run, so it can run again.
 */
export async function seedStore(container: MedusaContainer, log: (m: string) => void = () => {}): Promise<SeededStore> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const link = container.resolve(ContainerRegistrationKeys.LINK)
  const fulfillment = container.resolve(Modules.FULFILLMENT)

  // The store and its default sales channel exist once the app has booted (medusa exec boots it).
  const {
    data: [store],
  } = await query.graph({ entity: "store", fields: ["id", "default_sales_channel_id", "default_region_id", "supported_currencies.*"] })
  if (!store?.default_sales_channel_id) {
    throw new Error("store-seed: the store has no default sales channel (boot the app once, e.g. with medusa exec)")
  }
  const channelId: string = store.default_sales_channel_id

  // Region
  const regionModule = container.resolve(Modules.REGION)
  let [region] = await regionModule.listRegions({ name: NAMES.region })
  if (!region) {
    const { result } = await createRegionsWorkflow(container).run({
      input: {
        regions: [
          {
            name: NAMES.region,
            currency_code: "usd",
            countries: ["us"],
            automatic_taxes: false,
            payment_providers: ["pp_account_account", "pp_system_default"],
          },
        ],
      },
    })
    region = result[0]
    log(`created region ${NAMES.region} (${region.id}) paying with pp_account_account and pp_system_default`)
  }

  // The store sells in USD (and EUR, the ledger's other demo currency), the region is its default.
  const currencies = (store.supported_currencies ?? []).map((c: any) => c.currency_code)
  if (!currencies.includes("usd") || !currencies.includes("eur") || store.default_region_id !== region.id) {
    await updateStoresWorkflow(container).run({
      input: {
        selector: { id: store.id },
        update: {
          supported_currencies: [
            { currency_code: "usd", is_default: true },
            { currency_code: "eur" },
          ],
          default_region_id: region.id,
        },
      },
    })
  }

  // A publishable key on the sales channel (Medusa's default one when it is still there).
  const { data: keyLinks } = await query.graph({
    entity: "sales_channel",
    fields: ["id", "publishable_api_keys.id", "publishable_api_keys.token", "publishable_api_keys.type", "publishable_api_keys.revoked_at"],
    filters: { id: channelId },
  })
  let publishableKey: string | undefined = (keyLinks[0]?.publishable_api_keys ?? []).find(
    (k: any) => k && k.type === "publishable" && !k.revoked_at
  )?.token
  if (!publishableKey) {
    const {
      result: [key],
    } = await createApiKeysWorkflow(container).run({
      input: { api_keys: [{ title: "Storefront", type: "publishable", created_by: "" }] },
    })
    await linkSalesChannelsToApiKeyWorkflow(container).run({ input: { id: key.id, add: [channelId] } })
    publishableKey = key.token
    log("created a publishable API key")
  }

  // Shipping: profile, stock location with a fulfillment set for the US, a flat option.
  let [profile] = await fulfillment.listShippingProfiles({ type: "default" })
  if (!profile) {
    ;({
      result: [profile],
    } = await createShippingProfilesWorkflow(container).run({ input: { data: [{ name: "Default", type: "default" }] } }))
  }
  const stockLocations = container.resolve(Modules.STOCK_LOCATION)
  let [location] = await stockLocations.listStockLocations({ name: NAMES.location })
  if (!location) {
    ;({
      result: [location],
    } = await createStockLocationsWorkflow(container).run({
      input: { locations: [{ name: NAMES.location, address: { address_1: "1 Ledger Lane", city: "New York", country_code: "us" } }] },
    }))
    await link.create({
      [Modules.STOCK_LOCATION]: { stock_location_id: location.id },
      [Modules.FULFILLMENT]: { fulfillment_provider_id: "manual_manual" },
    })
    await linkSalesChannelsToStockLocationWorkflow(container).run({ input: { id: location.id, add: [channelId] } })
    log(`created stock location ${NAMES.location}`)
  }
  let [set] = await fulfillment.listFulfillmentSets({ name: NAMES.fulfillmentSet }, { relations: ["service_zones"] })
  if (!set) {
    set = await fulfillment.createFulfillmentSets({
      name: NAMES.fulfillmentSet,
      type: "shipping",
      service_zones: [{ name: NAMES.serviceZone, geo_zones: [{ country_code: "us", type: "country" }] }],
    })
    await link.create({
      [Modules.STOCK_LOCATION]: { stock_location_id: location.id },
      [Modules.FULFILLMENT]: { fulfillment_set_id: set.id },
    })
  }
  let [option] = await fulfillment.listShippingOptions({ name: NAMES.shippingOption })
  if (!option) {
    ;({
      result: [option],
    } = await createShippingOptionsWorkflow(container).run({
      input: [
        {
          name: NAMES.shippingOption,
          price_type: "flat",
          provider_id: "manual_manual",
          service_zone_id: set.service_zones[0].id,
          shipping_profile_id: profile.id,
          type: { label: "Standard", description: "3-5 business days", code: "standard" },
          prices: [{ currency_code: "usd", amount: SHIPPING_PRICE }],
          rules: [
            { attribute: "enabled_in_store", value: "true", operator: "eq" },
            { attribute: "is_return", value: "false", operator: "eq" },
          ],
        },
      ],
    }))
    log(`created shipping option ${NAMES.shippingOption} (${SHIPPING_PRICE.toFixed(2)} USD)`)
  }

  // Products, published in the sales channel; inventory is not tracked.
  const productModule = container.resolve(Modules.PRODUCT)
  const existing = await productModule.listProducts({ handle: PRODUCTS.map((p) => p.handle) }, { select: ["id", "handle"] })
  const missing = PRODUCTS.filter((p) => !existing.some((e) => e.handle === p.handle))
  if (missing.length) {
    await createProductsWorkflow(container).run({
      input: {
        products: missing.map((p) => ({
          title: p.title,
          handle: p.handle,
          description: p.description,
          status: "published" as const,
          is_giftcard: p.is_giftcard ?? false,
          discountable: !p.is_giftcard,
          shipping_profile_id: profile.id,
          options: [{ title: p.option, values: Object.keys(p.prices) }],
          variants: Object.entries(p.prices).map(([value, amount]) => ({
            title: value,
            sku: `${p.handle}-${value.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`,
            options: { [p.option]: value },
            manage_inventory: false,
            prices: [{ amount, currency_code: "usd" }],
          })),
          sales_channels: [{ id: channelId }],
        })),
      },
    })
    log(`created products ${missing.map((p) => p.handle).join(", ")}`)
  }
  const { data: rows } = await query.graph({
    entity: "product",
    fields: ["id", "handle", "title", "variants.id", "variants.title", "variants.prices.amount", "variants.prices.currency_code"],
    filters: { handle: PRODUCTS.map((p) => p.handle) },
  })
  const products: Record<string, SeededProduct> = {}
  for (const row of rows as any[]) {
    products[row.handle] = {
      id: row.id,
      handle: row.handle,
      title: row.title,
      variants: (row.variants ?? [])
        .map((v: any) => ({
          id: v.id,
          title: v.title,
          price: Number((v.prices ?? []).find((p: any) => p.currency_code === "usd")?.amount ?? 0),
        }))
        .sort((a: any, b: any) => a.price - b.price || a.title.localeCompare(b.title)),
    }
  }

  return {
    region_id: region.id,
    sales_channel_id: channelId,
    publishable_key: publishableKey!,
    shipping_option_id: option.id,
    stock_location_id: location.id,
    products,
  }
}

/**
 * A customer who can log in with email and password (as /auth/customer/emailpass/register
 * followed by POST /store/customers would make one). Reuses the customer and the identity
 * when they exist.
 */
export async function ensureShopper(
  container: MedusaContainer,
  input: { email: string; password: string; first_name: string; last_name: string; company_name?: string }
) {
  const customers = container.resolve(Modules.CUSTOMER)
  const auth = container.resolve(Modules.AUTH)
  const found = await customers.listCustomers({ email: input.email })
  let customer = found.find((c) => c.has_account) ?? found[0]
  if (!customer) {
    customer = await customers.createCustomers({
      email: input.email,
      first_name: input.first_name,
      last_name: input.last_name,
      company_name: input.company_name,
      has_account: true,
    })
  } else if (!customer.has_account) {
    // A guest record from an earlier seed becomes the registered customer (it owns the wallet).
    customer = await customers.updateCustomers(customer.id, { has_account: true } as any)
  }
  const [identity] = await auth.listProviderIdentities({ entity_id: input.email, provider: "emailpass" }, { relations: ["auth_identity"] })
  let authIdentityId = identity?.auth_identity_id ?? (identity as any)?.auth_identity?.id
  if (!authIdentityId) {
    const { success, authIdentity, error } = await auth.register("emailpass", {
      body: { email: input.email, password: input.password },
    } as any)
    if (!success || !authIdentity) {
      throw new Error(`store-seed: could not register ${input.email}: ${error}`)
    }
    authIdentityId = authIdentity.id
  }
  const current = await auth.retrieveAuthIdentity(authIdentityId)
  if (current.app_metadata?.customer_id !== customer.id) {
    await auth.updateAuthIdentities({ id: authIdentityId, app_metadata: { ...(current.app_metadata ?? {}), customer_id: customer.id } })
  }
  return customer
}
