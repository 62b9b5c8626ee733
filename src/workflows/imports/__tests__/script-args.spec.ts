import { importArgs } from "../script-args"

describe("importArgs", () => {
  it("reads the options after `--` (where Medusa's CLI leaves them) or as bare words", () => {
    expect(importArgs(["a.csv"], ["node", "medusa", "exec", "x.ts", "a.csv", "--", "--dry-run", "--atomic"])).toEqual({
      dry_run: true,
      mode: "atomic",
      unknown: [],
      positional: ["a.csv"],
    })
    expect(importArgs(["a.csv", "dry-run"], [])).toMatchObject({ dry_run: true, mode: "independent", positional: ["a.csv"] })
    expect(importArgs([], [])).toMatchObject({ dry_run: false, mode: "independent", positional: [] })
    expect(importArgs(["--force"], []).unknown).toEqual(["--force"])
  })
})
