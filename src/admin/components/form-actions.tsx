import { Button, Drawer, FocusModal } from "@medusajs/ui"

/** A drawer's footer: Cancel closes it, the submit button shows progress while posting. */
export const DrawerActions = ({ label, onSubmit, busy, disabled, testId }: { label: string; onSubmit: () => void; busy: boolean; disabled?: boolean; testId?: string }) => (
  <Drawer.Footer>
    <Drawer.Close asChild>
      <Button size="small" variant="secondary">
        Cancel
      </Button>
    </Drawer.Close>
    <Button size="small" onClick={onSubmit} isLoading={busy} disabled={disabled} data-testid={testId}>
      {label}
    </Button>
  </Drawer.Footer>
)

/** A FocusModal's header actions, the same pair as DrawerActions. */
export const ModalActions = ({ label, onSubmit, busy, disabled, testId }: { label: string; onSubmit: () => void; busy: boolean; disabled?: boolean; testId?: string }) => (
  <FocusModal.Header>
    <div className="flex items-center justify-end gap-x-2">
      <FocusModal.Close asChild>
        <Button size="small" variant="secondary">
          Cancel
        </Button>
      </FocusModal.Close>
      <Button size="small" onClick={onSubmit} isLoading={busy} disabled={disabled} data-testid={testId}>
        {label}
      </Button>
    </div>
  </FocusModal.Header>
)
