import type { ErpMoneyRecord, MoneyErp } from '../money.ts'
import type { NetsuiteClient } from './client.ts'
import { business, getRecord, upsertByExternalId } from './records.ts'

/**
 * Credit memos and customer refunds in NetSuite, each upserted by an external id derived from
 * the approval request (`PUT …/creditmemo/eid:…`), so a retried or resumed step rewrites the
 * same record instead of adding one. A credit memo credits the billed item for the amount; a
 * customer refund pays out of the credit memo named (its `apply` line:
 * https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/article_0830082954.html).
 * Invoices live in billing, not in the ERP, so the memo stands unapplied on the customer until
 * the refund (or AR) uses it.
 */
async function record(client: NetsuiteClient, doc: ErpMoneyRecord): Promise<string> {
  const customer = { id: doc.customerId }
  const correlation = { custbody_concord_correlation_id: doc.memo }
  if (doc.record === 'creditmemo') {
    if (!doc.itemId)
      throw business('erp_item_unknown', 'No ERP item is known for the credited price.')
    return upsertByExternalId(
      client,
      'creditmemo',
      doc.externalId,
      {
        entity: customer,
        memo: doc.memo,
        ...correlation,
        item: { items: [{ item: { id: doc.itemId }, quantity: 1, amount: doc.amount }] },
      },
      ['item'],
    )
  }
  if (!doc.creditMemoExternalId)
    throw business('erp_credit_unknown', 'A customer refund needs the credit memo it pays out of.')
  const memo = await getRecord(client, 'creditmemo', `eid:${doc.creditMemoExternalId}`)
  const memoId = String(memo.id)
  return upsertByExternalId(
    client,
    'customerRefund',
    doc.externalId,
    {
      customer,
      memo: doc.memo,
      ...correlation,
      apply: { items: [{ doc: { id: memoId }, apply: true, amount: doc.amount }] },
    },
    ['apply'],
  )
}

/** `MoneyErp` on NetSuite. @throws ConnectorError */
export function netsuiteMoney(client: NetsuiteClient): MoneyErp {
  return { record: (doc) => record(client, doc) }
}
