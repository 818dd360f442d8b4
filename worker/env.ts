import type { AccountLedger } from './index.ts'
export interface Bindings {
  ACCOUNT_LEDGER: DurableObjectNamespace<AccountLedger>
}
