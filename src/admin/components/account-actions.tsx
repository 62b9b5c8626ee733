import { Button, DropdownMenu, IconButton, toast, usePrompt } from "@medusajs/ui"
import { EllipsisHorizontal } from "@medusajs/icons"
import { useState } from "react"
import { useLedgerPost } from "../hooks/use-accounts"
import { errorSentence } from "../lib/errors"
import { formatMoney } from "../lib/format"
import type { Account } from "../lib/types"
import { EditAccountDrawer } from "./edit-account-drawer"
import { PostingDrawer } from "./posting-drawer"

type Drawer = "edit" | "top-up" | "withdraw" | null

/** Edit, top up, withdraw, freeze, thaw and close, each behind a confirmation where it matters. */
export const AccountActions = ({ account, giftCard }: { account: Account; giftCard?: boolean }) => {
  const prompt = usePrompt()
  const [drawer, setDrawer] = useState<Drawer>(null)
  const status = useLedgerPost<Record<string, never>>((b: any) => b.__path)

  const change = async (action: "freeze" | "thaw" | "close") => {
    const words = {
      freeze: {
        title: giftCard ? "Deactivate this gift card?" : "Freeze this account?",
        description: "No money can move in or out until it is thawed. Open holds stay reserved.",
        confirm: giftCard ? "Deactivate" : "Freeze",
        done: giftCard ? "Gift card deactivated" : "Account frozen",
      },
      thaw: { title: "Thaw this account?", description: "Money can move in and out again.", confirm: "Thaw", done: "Account thawed" },
      close: {
        title: "Close this account?",
        description: `Closing is final. Only an empty account can be closed: its balance is ${formatMoney(account.balance, account.currency_code)} and ${formatMoney(account.held, account.currency_code)} is held.`,
        confirm: "Close account",
        done: "Account closed",
      },
    }[action]
    const ok = await prompt({ title: words.title, description: words.description, confirmText: words.confirm, cancelText: "Cancel" })
    if (!ok) return
    try {
      await status.mutateAsync({ __path: `/admin/accounts/${account.id}/${action}` } as any)
      toast.success(words.done)
    } catch (e) {
      toast.error(errorSentence(e))
    }
  }

  const open = account.status === "open"
  const frozen = account.status === "frozen"
  return (
    <>
      <div className="flex items-center gap-x-2">
        {open ? (
          <Button size="small" variant="secondary" onClick={() => setDrawer("top-up")} data-testid="action-top-up">
            Top up
          </Button>
        ) : null}
        <DropdownMenu>
          <DropdownMenu.Trigger asChild>
            <IconButton size="small" variant="transparent" data-testid="account-actions" aria-label="Account actions">
              <EllipsisHorizontal />
            </IconButton>
          </DropdownMenu.Trigger>
          <DropdownMenu.Content align="end">
            <DropdownMenu.Item onClick={() => setDrawer("edit")} disabled={account.status === "closed"}>
              Edit
            </DropdownMenu.Item>
            <DropdownMenu.Item onClick={() => setDrawer("top-up")} disabled={!open}>
              Top up
            </DropdownMenu.Item>
            <DropdownMenu.Item onClick={() => setDrawer("withdraw")} disabled={!open}>
              Withdraw
            </DropdownMenu.Item>
            <DropdownMenu.Separator />
            {frozen ? (
              <DropdownMenu.Item onClick={() => change("thaw")}>Thaw</DropdownMenu.Item>
            ) : (
              <DropdownMenu.Item onClick={() => change("freeze")} disabled={!open}>
                {giftCard ? "Deactivate (freeze)" : "Freeze"}
              </DropdownMenu.Item>
            )}
            <DropdownMenu.Item onClick={() => change("close")} disabled={account.status === "closed"}>
              Close
            </DropdownMenu.Item>
          </DropdownMenu.Content>
        </DropdownMenu>
      </div>
      <PostingDrawer
        open={drawer === "top-up"}
        onOpenChange={(o) => setDrawer(o ? "top-up" : null)}
        title={`Top up ${account.name}`}
        path={`/admin/accounts/${account.id}/top-up`}
        currency={account.currency_code}
        withSource="source_account_id"
        withExpiry
        submitLabel="Top up"
        successMessage="Account topped up"
      />
      <PostingDrawer
        open={drawer === "withdraw"}
        onOpenChange={(o) => setDrawer(o ? "withdraw" : null)}
        title={`Withdraw from ${account.name}`}
        path={`/admin/accounts/${account.id}/withdraw`}
        currency={account.currency_code}
        maxHint={account.available === null ? undefined : `Up to ${formatMoney(account.available, account.currency_code)} is available.`}
        submitLabel="Withdraw"
        successMessage="Money withdrawn"
      />
      <EditAccountDrawer account={account} open={drawer === "edit"} onOpenChange={(o) => setDrawer(o ? "edit" : null)} />
    </>
  )
}
