import {
  SALESFORCE_SCHEMA,
  type SalesforceFieldType,
  type SalesforceObjectSchema,
} from '../../../shared/salesforce-schema.ts'
import { PRODUCT_PREFIXES, PRODUCT_SCHEMA } from './product-schema.ts'
import { SETUP_PREFIXES, SETUP_SCHEMA, TOOLING_SCHEMA } from './setup-schema.ts'

const SYSTEM_SCHEMA = { ...SETUP_SCHEMA, ...TOOLING_SCHEMA }

/** A field as the emulator knows it: the shared contract's type plus the standard-field flags. */
export type FieldType = SalesforceFieldType | { type: 'Id' } | { type: 'TextArea'; length: number }

export interface FieldDescribe {
  name: string
  def: FieldType
  createable: boolean
  updateable: boolean
  required?: boolean
  externalId?: boolean
  /** For lookups: the relationship name used in SOQL and in upsert-by-external-id (`Invoice__r`). */
  relationshipName?: string
}

export interface ObjectDescribe {
  name: string
  kind: SalesforceObjectSchema['kind'] | 'System'
  keyPrefix: string
  /** Keyed by lower-case API name: Salesforce treats field names case-insensitively. */
  fields: Map<string, FieldDescribe>
  /** Lower-case relationship name → the lookup field behind it. */
  relationships: Map<string, FieldDescribe>
  /** Auto Number display format of the Name field, e.g. `INV-{000000}`. */
  autoNumber?: string
  /** Platform events: Publish Immediately (escapes a rollback) rather than Publish After Commit. */
  publishImmediately?: boolean
}

/**
 * Key prefixes: `001` Account and `005` User are Salesforce's; custom objects and events get
 * stable invented ones in schema order (`a01`…, `e00`…), as an org would after deploying them.
 */
const FIXED_PREFIXES: Record<string, string> = {
  Account: '001',
  User: '005',
  Billing_Subscription__c: 'a01',
  Billing_Invoice__c: 'a02',
  Billing_Payment__c: 'a03',
  Subscription_Sync__c: 'a04',
  // Fixed, not by schema order: an object added to the schema shifts no other object's prefix.
  Billing_Credit_Note__c: 'a0N',
  Subscription_Amendment__e: 'e00',
  Concord_Refresh__e: 'e01',
  ...SETUP_PREFIXES,
  ...PRODUCT_PREFIXES,
}

/** Custom objects' Name is an Auto Number in `sfdx/` (read-only, numbered on insert). */
const AUTO_NUMBERS: Record<string, string> = {
  Billing_Subscription__c: 'BSUB-{000000}',
  Billing_Invoice__c: 'INV-{000000}',
  Billing_Payment__c: 'PAY-{000000}',
  Subscription_Sync__c: 'SYNC-{000000}',
  Billing_Credit_Note__c: 'CN-{000000}',
}

/** Publish behavior as deployed in `sfdx/`; the others publish after commit. */
const PUBLISH_IMMEDIATELY = new Set(['Concord_Refresh__e'])

const readOnly = (name: string, def: FieldType): FieldDescribe => ({
  name,
  def,
  createable: false,
  updateable: false,
})
const writable = (
  name: string,
  def: FieldType,
  extra: Partial<FieldDescribe> = {},
): FieldDescribe => ({
  name,
  def,
  createable: true,
  updateable: true,
  ...extra,
})

function auditFields(): FieldDescribe[] {
  return [
    readOnly('Id', { type: 'Id' }),
    readOnly('IsDeleted', { type: 'Checkbox' }),
    readOnly('CreatedDate', { type: 'DateTime' }),
    readOnly('CreatedById', { type: 'Lookup', referenceTo: 'User' }),
    readOnly('LastModifiedDate', { type: 'DateTime' }),
    readOnly('LastModifiedById', { type: 'Lookup', referenceTo: 'User' }),
    readOnly('SystemModstamp', { type: 'DateTime' }),
  ]
}

function standardFields(
  name: string,
  kind: ObjectDescribe['kind'],
  currencies: readonly string[],
): FieldDescribe[] {
  if (kind === 'PlatformEvent') {
    return [
      readOnly('EventUuid', { type: 'Text', length: 36 }),
      readOnly('ReplayId', { type: 'Text', length: 255 }),
      readOnly('CreatedDate', { type: 'DateTime' }),
      readOnly('CreatedById', { type: 'Lookup', referenceTo: 'User' }),
    ]
  }
  if (name in SYSTEM_SCHEMA) return auditFields()
  const currency = writable('CurrencyIsoCode', { type: 'Picklist', values: currencies })
  if (name === 'Pricebook2') return [...auditFields(), readOnly('IsStandard', { type: 'Checkbox' })]
  if (name in PRODUCT_SCHEMA) return [...auditFields(), currency]
  if (name === 'User') {
    return [
      ...auditFields(),
      writable('Name', { type: 'Text', length: 121 }),
      writable('Username', { type: 'Text', length: 80 }),
      writable('IsActive', { type: 'Checkbox' }),
    ]
  }
  const owner = writable(
    'OwnerId',
    { type: 'Lookup', referenceTo: 'User' },
    { relationshipName: 'Owner' },
  )
  if (name === 'Account') {
    return [
      ...auditFields(),
      owner,
      currency,
      writable('Name', { type: 'Text', length: 255 }, { required: true }),
      writable('BillingStreet', { type: 'TextArea', length: 255 }),
      writable('BillingCity', { type: 'Text', length: 40 }),
      writable('BillingState', { type: 'Text', length: 80 }),
      writable('BillingPostalCode', { type: 'Text', length: 20 }),
      writable('BillingCountry', { type: 'Text', length: 80 }),
    ]
  }
  return [...auditFields(), owner, currency, readOnly('Name', { type: 'Text', length: 80 })]
}

function describeObject(
  name: string,
  schema: SalesforceObjectSchema,
  prefix: string,
  currencies: readonly string[],
): ObjectDescribe {
  const fields = new Map<string, FieldDescribe>()
  const relationships = new Map<string, FieldDescribe>()
  const add = (f: FieldDescribe) => {
    fields.set(f.name.toLowerCase(), f)
    if (f.relationshipName) relationships.set(f.relationshipName.toLowerCase(), f)
  }
  for (const f of standardFields(name, schema.kind, currencies)) add(f)
  for (const [fieldName, def] of Object.entries(schema.fields)) {
    // Custom lookups relate as `X__r`; standard ones drop their `Id` (`ParentId` → `Parent`).
    const relationshipName =
      def.type === 'Lookup'
        ? fieldName.endsWith('__c')
          ? fieldName.replace(/__c$/, '__r')
          : fieldName.replace(/Id$/, '')
        : undefined
    const externalId = def.type === 'Text' && def.externalId === true
    add(writable(fieldName, def, { relationshipName, externalId }))
  }
  const autoNumber =
    schema.kind === 'CustomObject'
      ? (AUTO_NUMBERS[name] ?? `${prefix.toUpperCase()}-{000000}`)
      : undefined
  const publishImmediately =
    schema.kind === 'PlatformEvent' ? PUBLISH_IMMEDIATELY.has(name) : undefined
  return {
    name,
    kind: schema.kind,
    keyPrefix: prefix,
    fields,
    relationships,
    autoNumber,
    publishImmediately,
  }
}

/** Every object of the emulated org, keyed by lower-case API name, plus a key-prefix index. */
export class Catalog {
  readonly objects = new Map<string, ObjectDescribe>()
  private byPrefix = new Map<string, ObjectDescribe>()

  constructor(currencies: readonly string[]) {
    const schemas: Record<string, SalesforceObjectSchema> = {
      ...SALESFORCE_SCHEMA,
      User: { kind: 'StandardObject', fields: {} },
      ...SYSTEM_SCHEMA,
      ...PRODUCT_SCHEMA,
    }
    let customN = 4
    let eventN = 1
    for (const [name, schema] of Object.entries(schemas)) {
      const prefix =
        FIXED_PREFIXES[name] ??
        (schema.kind === 'PlatformEvent'
          ? `e${String(++eventN).padStart(2, '0')}`
          : `a${String(++customN).padStart(2, '0')}`)
      const describe = describeObject(name, schema, prefix, currencies)
      if (name === 'User' || name in SYSTEM_SCHEMA) describe.kind = 'System'
      this.objects.set(name.toLowerCase(), describe)
      this.byPrefix.set(prefix, describe)
    }
  }

  get(name: string): ObjectDescribe | undefined {
    return this.objects.get(name.toLowerCase())
  }

  byKeyPrefix(id: string): ObjectDescribe | undefined {
    return this.byPrefix.get(id.slice(0, 3))
  }

  isEvent(name: string): boolean {
    return this.get(name)?.kind === 'PlatformEvent'
  }
}
