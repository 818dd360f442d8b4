import type { UsageErp, UsageSummaryInput } from '../usage.ts'
import type { NetsuiteClient } from './client.ts'
import { upsertByExternalId } from './records.ts'

/** The custom record type a usage summary is kept as (the NetSuite emulator declares it). */
export const USAGE_RECORD_TYPE = 'customrecord_concord_usage'

/**
 * Records one subscription's usage of one meter over one closed period as a custom record,
 * upserted by external id (`PUT /record/v1/customrecord_concord_usage/eid:…`): custom record
 * types are reached through REST like standard ones, by their script id
 * (https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1545222128.html), and
 * the upsert makes a retry land on the same record. A summary, not an invoice line: invoicing
 * stays with billing, the ERP gets the quantities for revenue and reporting.
 * @throws ConnectorError
 */
export async function recordUsageSummary(
  client: NetsuiteClient,
  s: UsageSummaryInput,
): Promise<{ ref: string }> {
  const id = await upsertByExternalId(client, USAGE_RECORD_TYPE, s.externalId, {
    name: `${s.subscriptionKey} ${s.meterKey} ${s.period}`.slice(0, 300),
    custrecord_concord_usage_customer: { id: s.erpCustomerId },
    custrecord_concord_usage_item: { id: s.erpItemId },
    custrecord_concord_usage_subscription: s.subscriptionKey,
    custrecord_concord_usage_meter: s.meterKey,
    custrecord_concord_usage_period: s.period,
    custrecord_concord_usage_quantity: s.quantity,
    custrecord_concord_usage_records: s.records,
    custrecord_concord_usage_correlation: s.correlationId,
  })
  return { ref: `${USAGE_RECORD_TYPE}:${id}` }
}

export function netsuiteUsageErp(client: NetsuiteClient): UsageErp {
  return { recordUsageSummary: (s) => recordUsageSummary(client, s) }
}
