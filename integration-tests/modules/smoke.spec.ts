import { ledgerModuleSuite } from "../support/ledger-runner"

jest.setTimeout(60000)

ledgerModuleSuite("smoke", ({ service }) => {
  it("creates, loads, spends and verifies", async () => {
    const acc = await service.createAccount({ name: "Wallet", currency_code: "usd", initial_amount: "100" })
    expect(Number(acc.balance)).toBe(100)
    const t = await service.redeem(acc.id, "12.5")
    expect(Number(t.source_balance)).toBe(87.5)
    const v = await service.verify()
    expect(v.checks.filter((c) => !c.ok)).toEqual([])
  })
})
