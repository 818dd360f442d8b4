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

/** Key prefixes as Salesforce has them. */
export const SETUP_PREFIXES: Record<string, string> = {
  PermissionSet: '0PS',
  CustomPermission: '0CP',
  SetupEntityAccess: '0J0',
  PermissionSetAssignment: '0Pa',
}
