import { NetsuiteError } from '../errors.ts'
import { customerAr } from './ar.ts'
import { refId, type RecordDef } from './model.ts'
import { asText } from '../../common/text.ts'

const CREDIT_HOLD = { AUTO: 'Auto', ON: 'On', OFF: 'Off' }

/** Currencies; `refName` is the ISO code, as in Oracle's reference example ("USD", id "1"). */
export const currencyDef: RecordDef = {
  id: 'currency',
  label: 'Currency',
  customPrefix: 'custrecord_',
  readOnly: true,
  fields: { name: { kind: 'string', required: true }, symbol: { kind: 'string' } },
  sublists: {},
  refName: (r) => String(r.fields.name),
}

export const subsidiaryDef: RecordDef = {
  id: 'subsidiary',
  label: 'Subsidiary',
  customPrefix: 'custrecord_',
  readOnly: true,
  fields: { name: { kind: 'string', required: true }, currency: { kind: 'ref', ref: 'currency' } },
  sublists: {},
  refName: (r) => String(r.fields.name),
}

/**
 * Items are one list in the emulator; REST addresses them by their item subtype (e.g.
 * `serviceSaleItem`), and sublist lines reference them as `item: { id }` whatever the subtype.
 */
export const itemDef: RecordDef = {
  id: 'item',
  aliases: [
    'serviceSaleItem',
    'nonInventorySaleItem',
    'inventoryItem',
    'otherChargeSaleItem',
    'subscriptionPlan',
  ],
  label: 'Item',
  customPrefix: 'custitem_',
  readOnly: true,
  fields: {
    itemId: { kind: 'string', required: true },
    displayName: { kind: 'string' },
    itemType: { kind: 'string' },
    rate: { kind: 'number' },
    isInactive: { kind: 'boolean' },
  },
  sublists: {},
  refName: (r) => String(r.fields.itemId),
}

/**
 * Customer. `balance`, `overdueBalance`, `daysOverdue` and `unbilledOrders` are derived from
 * transactions on read; like NetSuite, an invoice or payment does not change the customer's own
 * `lastModifiedDate`, so an AR delta has to look at transactions, not customers.
 */
export const customerDef: RecordDef = {
  id: 'customer',
  label: 'Customer',
  customPrefix: 'custentity_',
  fields: {
    entityId: { kind: 'string' },
    companyName: { kind: 'string' },
    isPerson: { kind: 'boolean' },
    firstName: { kind: 'string' },
    lastName: { kind: 'string' },
    email: { kind: 'string' },
    phone: { kind: 'string' },
    subsidiary: { kind: 'ref', ref: 'subsidiary', required: true },
    currency: { kind: 'ref', ref: 'currency' },
    creditHoldOverride: { kind: 'enum', values: CREDIT_HOLD },
    creditLimit: { kind: 'number' },
    comments: { kind: 'string' },
    isInactive: { kind: 'boolean' },
  },
  readOnlyFields: [
    'balance',
    'overdueBalance',
    'daysOverdue',
    'unbilledOrders',
    'dateCreated',
    'lastModifiedDate',
  ],
  // The keyed address sublist; each line's address is a subrecord.
  // https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/article_161581923822.html
  sublists: {
    addressBook: {
      key: 'internalId',
      generatedKey: true,
      fields: {
        internalId: { kind: 'number' },
        label: { kind: 'string' },
        defaultBilling: { kind: 'boolean' },
        defaultShipping: { kind: 'boolean' },
        addressBookAddress: {
          kind: 'subrecord',
          fields: {
            addr1: { kind: 'string' },
            addr2: { kind: 'string' },
            addressee: { kind: 'string' },
            city: { kind: 'string' },
            state: { kind: 'string' },
            zip: { kind: 'string' },
            country: {
              kind: 'enum',
              values: {
                US: 'United States',
                CA: 'Canada',
                GB: 'United Kingdom',
                DE: 'Germany',
                FR: 'France',
                AU: 'Australia',
                JP: 'Japan',
              },
            },
          },
        },
      },
    },
  },
  defaults(draft, ctx) {
    const f = draft.fields
    const subsidiary = ctx.store.get('subsidiary', refId(f.subsidiary) ?? -1)
    if (f.currency === undefined && subsidiary?.fields.currency)
      f.currency = subsidiary.fields.currency
    f.creditHoldOverride ??= 'AUTO'
    f.isInactive ??= false
    if (f.entityId === undefined) {
      const person = [f.firstName, f.lastName].filter((x) => typeof x === 'string').join(' ')
      f.entityId = f.isPerson ? person : f.companyName
    }
  },
  validate(draft) {
    const f = draft.fields
    const missing = f.isPerson
      ? !f.firstName
        ? 'First Name'
        : !f.lastName
          ? 'Last Name'
          : ''
      : !f.companyName
        ? 'Company Name'
        : ''
    if (missing) throw new NetsuiteError(400, 'USER_ERROR', `Please enter value(s) for: ${missing}`)
  },
  derive(record, ctx) {
    const ar = customerAr(ctx.store, record.id, ctx.clock.today())
    return { ...ar }
  },
  refName: (r) => {
    const { entityId, companyName } = r.fields
    return companyName && companyName !== entityId
      ? `${String(entityId)} ${asText(companyName)}`
      : String(entityId)
  },
}
