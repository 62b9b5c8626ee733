import { Button, Drawer } from "@medusajs/ui"

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
