import * as z from 'zod/mini'
import { AccountId } from './salesforce-id.ts'

/**
 * Account changes Salesforce reports (`POST /v1/salesforce/account-changes`, issue 13.5). A
 * merge comes from the `after delete` trigger on Account: the deleted (losing) Account carries
 * `MasterRecordId`, the surviving Account. `id` dedupes a change sent twice.
 */
export const AccountMerged = z.object({
  id: z.string().check(z.minLength(1), z.maxLength(100)),
  type: z.literal('account.merged'),
  loserId: AccountId,
  survivorId: AccountId,
})
export type AccountMerged = z.infer<typeof AccountMerged>

/** The batch Apex sends: at most 200 changes (one trigger chunk). */
export const AccountChangeBatch = z.object({
  changes: z.array(AccountMerged).check(z.minLength(1), z.maxLength(200)),
})
export type AccountChangeBatch = z.infer<typeof AccountChangeBatch>

export const AccountChangeResult = z.object({
  id: z.string(),
  status: z.enum(['queued', 'duplicate', 'rejected']),
  message: z.optional(z.string()),
})
export type AccountChangeResult = z.infer<typeof AccountChangeResult>
