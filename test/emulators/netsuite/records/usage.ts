import { NetsuiteError } from '../errors.ts'
import type { RecordDef } from './model.ts'
import { asText } from '../../common/text.ts'

/**
 * `customrecord_concord_usage`: the custom record type the Concord bundle defines for a usage
 * summary (one per subscription, meter and period). Custom record types are reached through REST
 * by their script id like any record, and their fields are `custrecord_…` script ids
 * (https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1545222128.html). The
 * customer and item are list references, checked like any reference.
 */
export const usageSummaryDef: RecordDef = {
  id: 'customrecord_concord_usage',
  label: 'Concord Usage Summary',
  // Every field of the type is declared above: an undeclared one is refused, as NetSuite does.
  customPrefix: '\u0000',
  fields: {
    name: { kind: 'string', required: true },
    custrecord_concord_usage_customer: { kind: 'ref', ref: 'customer', required: true },
    custrecord_concord_usage_item: { kind: 'ref', ref: 'item', required: true },
    custrecord_concord_usage_subscription: { kind: 'string', required: true },
    custrecord_concord_usage_meter: { kind: 'string', required: true },
    custrecord_concord_usage_period: { kind: 'string', required: true },
    custrecord_concord_usage_quantity: { kind: 'number', required: true },
    custrecord_concord_usage_records: { kind: 'number' },
    custrecord_concord_usage_correlation: { kind: 'string' },
  },
  readOnlyFields: ['created', 'lastModified'],
  sublists: {},
  validate(draft) {
    const q = draft.fields.custrecord_concord_usage_quantity
    if (typeof q === 'number' && (q < 0 || !Number.isInteger(q)))
      throw new NetsuiteError(
        400,
        'USER_ERROR',
        'Quantity must be a whole number of zero or more.',
        {
          'o:errorPath': 'custrecord_concord_usage_quantity',
        },
      )
    const period = asText(draft.fields.custrecord_concord_usage_period)
    if (!/^\d{4}-\d{2}$/.test(period))
      throw new NetsuiteError(400, 'USER_ERROR', `Invalid period ${period}: expected YYYY-MM.`, {
        'o:errorPath': 'custrecord_concord_usage_period',
      })
  },
  refName: (r) => asText(r.fields.name),
}
