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

/**
 * The Account's `Concord_Legal_Entity__c` changed (re-parenting): new work goes to the new
 * NetSuite subsidiary, open subscriptions are flagged for review.
 */
export const AccountLegalEntityChanged = z.object({
  id: z.string().check(z.minLength(1), z.maxLength(100)),
  type: z.literal('account.legal_entity_changed'),
  accountId: AccountId,
  legalEntity: z.nullable(z.string().check(z.maxLength(80))),
})
export type AccountLegalEntityChanged = z.infer<typeof AccountLegalEntityChanged>

export const AccountChange = z.discriminatedUnion('type', [
  AccountMerged,
  AccountLegalEntityChanged,
])
export type AccountChange = z.infer<typeof AccountChange>

/** The batch Apex sends: at most 200 changes (one trigger chunk). */
export const AccountChangeBatch = z.object({
  changes: z.array(AccountChange).check(z.minLength(1), z.maxLength(200)),
})
export type AccountChangeBatch = z.infer<typeof AccountChangeBatch>

export const AccountChangeResult = z.object({
  id: z.string(),
  status: z.enum(['queued', 'duplicate', 'unchanged', 'rejected']),
  /** The subscriptions flagged for review (a legal-entity change). */
  flagged: z.optional(z.array(z.string())),
  message: z.optional(z.string()),
})
export type AccountChangeResult = z.infer<typeof AccountChangeResult>
