import { Module } from "@medusajs/framework/utils"
import { CODE_GUARD_MODULE } from "./guard-request"
import CodeGuardModuleService from "./service"

export default Module(CODE_GUARD_MODULE, { service: CodeGuardModuleService })

export { CODE_GUARD_MODULE, guardCodeLookup, guardKeysOf } from "./guard-request"
export type { GuardTarget } from "./guard-request"
export { clientAddressOf } from "./client-address"
export type { CodeGuardModuleOptions, CodeGuardOptions } from "./options"
export type { CodeGuardClientInfo, CodeGuardStatus } from "./service"
export { CodeGuardModuleService }
