import type { SalesforceObjectSchema } from '../../../shared/salesforce-schema.ts'

/**
 * The setup objects an admin tool reads to see who holds which access: PermissionSet,
 * CustomPermission, SetupEntityAccess (a permission set's grant of a custom permission) and
 * PermissionSetAssignment. Fields as the Object Reference has them; a lookup's relationship is
 * its name less `Id` (`ParentId` → `Parent`, `AssigneeId` → `Assignee`).
 */
export const SETUP_SCHEMA: Record<string, SalesforceObjectSchema> = {
  PermissionSet: {
    kind: 'StandardObject',
    fields: {
      Name: { type: 'Text', length: 80 },
      Label: { type: 'Text', length: 80 },
      IsOwnedByProfile: { type: 'Checkbox' },
      Type: { type: 'Picklist', values: ['Regular', 'Group', 'Profile', 'Session'] },
    },
  },
  CustomPermission: {
    kind: 'StandardObject',
    fields: {
      DeveloperName: { type: 'Text', length: 80 },
      MasterLabel: { type: 'Text', length: 255 },
      NamespacePrefix: { type: 'Text', length: 15 },
    },
  },
  SetupEntityAccess: {
    kind: 'StandardObject',
    fields: {
      ParentId: { type: 'Lookup', referenceTo: 'PermissionSet' },
      SetupEntityId: { type: 'Text', length: 18 },
      SetupEntityType: {
        type: 'Picklist',
        values: ['ApexClass', 'ApexPage', 'ConnectedApplication', 'CustomPermission', 'TabSet'],
      },
    },
  },
  PermissionSetAssignment: {
    kind: 'StandardObject',
    fields: {
      AssigneeId: { type: 'Lookup', referenceTo: 'User' },
      PermissionSetId: { type: 'Lookup', referenceTo: 'PermissionSet' },
      IsActive: { type: 'Checkbox' },
    },
  },
}

/**
 * Tooling API objects the setup and doctor read: the Apex triggers and the platform event
 * triggers' subscriber configs (running user and batch size):
 * https://developer.salesforce.com/docs/atlas.en-us.api_tooling.meta/api_tooling/tooling_api_objects_platformeventsubscriberconfig.htm
 * `PlatformEventSubscriberConfig` answers only on `/tooling/query`.
 */
export const TOOLING_SCHEMA: Record<string, SalesforceObjectSchema> = {
  ApexTrigger: {
    kind: 'StandardObject',
    fields: {
      Name: { type: 'Text', length: 255 },
      TableEnumOrId: { type: 'Text', length: 40 },
      Status: { type: 'Picklist', values: ['Active', 'Inactive', 'Deleted'] },
    },
  },
  PlatformEventSubscriberConfig: {
    kind: 'StandardObject',
    fields: {
      DeveloperName: { type: 'Text', length: 80 },
      MasterLabel: { type: 'Text', length: 80 },
      PlatformEventConsumerId: { type: 'Lookup', referenceTo: 'ApexTrigger' },
      UserId: { type: 'Lookup', referenceTo: 'User' },
      BatchSize: { type: 'Number', precision: 4, scale: 0 },
    },
  },
}

/** Objects the REST `/query` refuses (INVALID_TYPE): they live in the Tooling API only. */
export const TOOLING_ONLY = new Set(['platformeventsubscriberconfig'])

/** Key prefixes as Salesforce has them (the Tooling ones: 01q is ApexTrigger's; the config's is the emulator's). */
export const SETUP_PREFIXES: Record<string, string> = {
  ApexTrigger: '01q',
  PlatformEventSubscriberConfig: '3Nb',
  PermissionSet: '0PS',
  CustomPermission: '0CP',
  SetupEntityAccess: '0J0',
  PermissionSetAssignment: '0Pa',
}
