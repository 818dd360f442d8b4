import {
  AccountId,
  SALESFORCE_SCHEMA,
  type SalesforceFieldName,
  type SalesforceObjectName,
} from '../../../shared/index.ts'
import type { SyncStatus } from '../types.ts'

/*
 * Record shapes built only from the names `shared/salesforce-schema.ts` declares: a misspelt
 * object, field or picklist value fails to compile instead of failing a record in production.
 */

type Schema = typeof SALESFORCE_SCHEMA
type FieldDef<
  O extends SalesforceObjectName,
  F extends SalesforceFieldName<O>,
> = Schema[O]['fields'][F]

/** The JSON value Salesforce takes for a field of this definition. */
type ValueOf<D> = D extends { type: 'Picklist'; values: readonly (infer V)[] }
  ? V
  : D extends { type: 'Number' | 'Currency' }
    ? number
    : D extends { type: 'Checkbox' }
      ? boolean
      : string

/** Objects records are written to (not platform events). */
export type WritableObject = {
  [O in SalesforceObjectName]: Schema[O]['kind'] extends 'PlatformEvent' ? never : O
}[SalesforceObjectName]
/** Platform events the worker publishes. */
export type PlatformEventName = {
  [O in SalesforceObjectName]: Schema[O]['kind'] extends 'PlatformEvent' ? O : never
}[SalesforceObjectName]

/** Fields of `O` declared as external ids (the upsert keys). */
export type ExternalIdField<O extends SalesforceObjectName> = {
  [F in SalesforceFieldName<O>]: FieldDef<O, F> extends { externalId: true } ? F : never
}[SalesforceFieldName<O>]

/** A lookup set through the parent's external id, e.g. `Invoice__r: { External_Id__c: 'in_1' }`. */
type RelationshipRefs<O extends SalesforceObjectName> = {
  [
    F in SalesforceFieldName<O> as FieldDef<O, F> extends { type: 'Lookup'; referenceTo: infer T }
      ? T extends SalesforceObjectName
        ? ExternalIdField<T> extends never
          ? never
          : F extends `${infer Base}__c`
            ? `${Base}__r`
            : never
        : never
      : never
  ]?: FieldDef<O, F> extends { referenceTo: infer T extends SalesforceObjectName }
    ? { [K in ExternalIdField<T>]?: string }
    : never
}

/** A record's fields (null clears a value); `Id` addresses a record directly (Account). */
export type SObjectFields<O extends SalesforceObjectName> = {
  [F in SalesforceFieldName<O>]?: ValueOf<FieldDef<O, F>> | null
} & RelationshipRefs<O> & { Id?: string }

/** A record as REST takes it: its fields plus `attributes.type`. */
export type SObjectRecord<O extends SalesforceObjectName> = SObjectFields<O> & {
  attributes: { type: O }
}

/** Wraps typed fields as a REST record body. */
export function sobject<O extends SalesforceObjectName>(
  type: O,
  fields: SObjectFields<O>,
): SObjectRecord<O> {
  return { attributes: { type }, ...fields }
}

/** The declared length of a text field, or undefined for other types. */
export function textLength<O extends SalesforceObjectName>(
  object: O,
  field: SalesforceFieldName<O>,
): number | undefined {
  const def: unknown = (SALESFORCE_SCHEMA[object].fields as Readonly<Record<string, unknown>>)[
    field
  ]
  return def && typeof def === 'object' && 'length' in def && typeof def.length === 'number'
    ? def.length
    : undefined
}

/**
 * Cuts free text to the field's declared length (never mid surrogate pair), so a long error
 * message cannot fail its whole record with STRING_TOO_LONG. Not for keys: a cut key would
 * address another record.
 */
export function fitText<O extends SalesforceObjectName>(
  object: O,
  field: SalesforceFieldName<O>,
  value: string | undefined,
): string | null {
  if (value === undefined || value === '') return null
  const max = textLength(object, field)
  if (max === undefined || value.length <= max) return value
  const cut = value.slice(0, max)
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut
}

/** The Account id as a lookup value, or undefined when it cannot be one (keeps the record writable). */
export function accountLookup(accountId: string): string | undefined {
  const parsed = AccountId.safeParse(accountId)
  return parsed.success ? parsed.data : undefined
}

/**
 * `Subscription_Sync__c` for one amendment's status, upserted by `External_Id__c` (the
 * amendment id, i.e. the EventUuid). Every optional field is written, as null when absent, so a
 * cleared error or reference clears in Salesforce too.
 */
export function syncStatusRecord(
  status: SyncStatus,
  options: { withAccount?: boolean } = {},
): SObjectFields<'Subscription_Sync__c'> {
  const O = 'Subscription_Sync__c'
  const account = options.withAccount === false ? undefined : accountLookup(status.accountId)
  return {
    External_Id__c: status.amendmentId,
    ...(account ? { Account__c: account } : {}),
    Subscription_Key__c: fitText(O, 'Subscription_Key__c', status.subscriptionKey),
    Sequence__c: status.sequence,
    Action__c: fitText(O, 'Action__c', status.action),
    Status__c: status.status,
    Error_Code__c: fitText(O, 'Error_Code__c', status.errorCode),
    Error_Message__c: fitText(O, 'Error_Message__c', status.errorMessage),
    Correlation_Id__c: fitText(O, 'Correlation_Id__c', status.correlationId),
    Billing_Ref__c: fitText(O, 'Billing_Ref__c', status.billingRef),
    Erp_Ref__c: fitText(O, 'Erp_Ref__c', status.erpRef),
    Updated_At__c: status.updatedAt,
  }
}

/** A `Concord_Refresh__e` hint for the Accounts whose financial data changed. */
export function refreshEvent(
  accountIds: readonly string[],
  reason: string,
): SObjectFields<'Concord_Refresh__e'> {
  return {
    Account_Ids__c: [...new Set(accountIds)].join(','),
    Reason__c: fitText('Concord_Refresh__e', 'Reason__c', reason),
  }
}

/** The Account fields `readAccount` reads: standard ones plus the schema's legal entity. */
export const ACCOUNT_STANDARD_FIELDS = [
  'Id',
  'Name',
  'BillingStreet',
  'BillingCity',
  'BillingState',
  'BillingPostalCode',
  'BillingCountry',
] as const
export const ACCOUNT_LEGAL_ENTITY: SalesforceFieldName<'Account'> = 'Concord_Legal_Entity__c'
/** Present only where multi-currency is on; asking for it elsewhere is INVALID_FIELD. */
export const ACCOUNT_CURRENCY_FIELD = 'CurrencyIsoCode'
