import {
  SALESFORCE_SCHEMA,
  type SalesforceFieldName,
  type SalesforceObjectSchema,
  type SalesforceObjectName,
} from '../../../shared/index.ts'

/*
 * sObject shapes as REST takes them, derived from the names `shared/salesforce-schema.ts`
 * declares: a misspelt object, field or picklist value fails to compile instead of failing a
 * record in production.
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

/** The declared definition of a field, or undefined when the schema has no such field. */
export function fieldDef(object: SalesforceObjectName, field: string): unknown {
  const fields: Readonly<Record<string, unknown>> = SALESFORCE_SCHEMA[object].fields
  return Object.hasOwn(fields, field) ? fields[field] : undefined
}

/** The declared length of a text field, or undefined for other types. */
export function textLength<O extends SalesforceObjectName>(
  object: O,
  field: SalesforceFieldName<O>,
): number | undefined {
  const def = fieldDef(object, field)
  return def && typeof def === 'object' && 'length' in def && typeof def.length === 'number'
    ? def.length
    : undefined
}

/** Whether `name` is an object the schema declares records of (not a platform event). */
export function isWritableObject(name: string): name is WritableObject {
  const schema: Readonly<Record<string, SalesforceObjectSchema>> = SALESFORCE_SCHEMA
  return Object.hasOwn(schema, name) && schema[name]?.kind !== 'PlatformEvent'
}

/** Whether `field` is an upsert key of `object`: one of its external ids, or `Id`. */
export function isUpsertKey<O extends WritableObject>(
  object: O,
  field: string,
): field is ExternalIdField<O> | 'Id' {
  const def = fieldDef(object, field)
  return field === 'Id' || (!!def && typeof def === 'object' && 'externalId' in def)
}
