import { defineRouteConfig } from "@medusajs/admin-sdk"
import { Container, Heading, Text } from "@medusajs/ui"
import { AccountsTable } from "../../../components/accounts-table"
import { BulkIssueModal } from "../../../components/bulk-issue-modal"
import { IssueGiftCardModal } from "../../../components/issue-gift-card-modal"

const GiftCardsPage = () => (
  <Container className="divide-y p-0">
    <div className="flex items-center justify-between px-6 py-4">
      <div>
        <Heading level="h1">Gift cards</Heading>
        <Text size="small" className="text-ui-fg-subtle">
          Codes show only their last four characters; open a card to see it whole.
        </Text>
      </div>
      <div className="flex items-center gap-x-2">
        <BulkIssueModal />
        <IssueGiftCardModal />
      </div>
    </div>
    <AccountsTable giftCards />
  </Container>
)

export const config = defineRouteConfig({ label: "Gift cards", rank: 1 })

export default GiftCardsPage
