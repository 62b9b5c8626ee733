export * from "./create-account-batch"
export * from "./post-transfer-batch"
