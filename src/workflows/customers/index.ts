export * from "./issue-store-credit"
