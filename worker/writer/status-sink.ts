import { records as sfRecords } from '../connectors/salesforce/index.ts'
import type { SalesforceSink, SyncStatus } from '../connectors/types.ts'
import type { RecordSink, WriteRecord } from './types.ts'

/**
 * What Salesforce should show for a batch of statuses: each amendment's `Subscription_Sync__c`
 * and, for applied ones, the subscription mirror's `Applied_Sequence__c` (the newest applied
 * status of a subscription is its highest sequence, so the writer's newest-wins keeps it right).
 */
export function statusRecords(statuses: readonly SyncStatus[]): WriteRecord[] {
  const out: WriteRecord[] = []
  for (const s of statuses) {
    const at = Date.parse(s.updatedAt)
    const { External_Id__c: _key, ...fields } = sfRecords.syncStatusRecord(s)
    out.push({
      object: 'Subscription_Sync__c',
      externalIdField: 'External_Id__c',
      externalId: s.amendmentId,
      fields: fields as WriteRecord['fields'],
      sourceUpdatedAt: at,
      accountId: s.accountId,
    })
    if (s.status === 'applied') {
      const account = sfRecords.accountLookup(s.accountId)
      out.push({
        object: 'Billing_Subscription__c',
        externalIdField: 'Subscription_Key__c',
        externalId: s.subscriptionKey,
        fields: { ...(account ? { Account__c: account } : {}), Applied_Sequence__c: s.sequence },
        sourceUpdatedAt: at,
        accountId: s.accountId,
      })
    }
  }
  return out
}

/**
 * The ledgers' status sink: statuses join every other write-back in the org's OrgWriter, so they
 * cost a share of one Composite call per thousand records rather than a call per ledger flush.
 * Handing them over is durable (the writer stores them before answering), so they count as
 * delivered here; the writer retries or parks each record from then on.
 */
export function writerStatusSink(writer: RecordSink, salesforce: SalesforceSink): SalesforceSink {
  return {
    readAccount: (accountId, correlationId) => salesforce.readAccount(accountId, correlationId),
    reportStatuses: async (statuses) => {
      await writer.enqueue(statusRecords(statuses))
      return { delivered: statuses.map((s) => s.amendmentId), failed: [] }
    },
  }
}
