import { defineRouteConfig } from "@medusajs/admin-sdk"
import { CreditCard } from "@medusajs/icons"
import { Container, Heading, Text } from "@medusajs/ui"
import { AccountsTable } from "../../components/accounts-table"
import { BulkCreditModal } from "../../components/bulk-credit-modal"
import { CreateAccountModal } from "../../components/create-account-modal"

const AccountsPage = () => (
  <Container className="divide-y p-0">
    <div className="flex items-center justify-between px-6 py-4">
      <div>
        <Heading level="h1">Accounts</Heading>
        <Text size="small" className="text-ui-fg-subtle">
          Store credit, gift cards, loyalty and credit accounts on the ledger.
        </Text>
      </div>
      <div className="flex items-center gap-x-2">
        <BulkCreditModal />
        <CreateAccountModal />
      </div>
    </div>
    <AccountsTable />
  </Container>
)

export const config = defineRouteConfig({ label: "Accounts", icon: CreditCard, rank: 10 })

export default AccountsPage
