import Medusa from "@medusajs/js-sdk"

// The admin is served by the same Medusa that answers the API, and the dashboard's
// login sets the session cookie, so relative URLs and session auth are enough.
export const sdk = new Medusa({
  baseUrl: import.meta.env.VITE_BACKEND_URL || "/",
  debug: false,
  auth: { type: "session" },
})
