import { SalesforceApiError } from './errors.ts'
import type { Org } from './org.ts'
import { Tx } from './store.ts'

/** The permission sets `sfdx/` deploys, and which of them grants the custom permission. */
export const CONCORD_PERMISSION_SETS = [
  'Concord_Integration',
  'Concord_Viewer',
  'Concord_Sales',
  'Concord_Operations',
  'Concord_Relay',
] as const
/** The package's platform event trigger (its subscriber config is per org: `sfdx/org/`). */
export const CONCORD_TRIGGER = 'SubscriptionAmendmentRelay'
export const AMEND_PERMISSION = 'Concord_Amend_Subscriptions'
const GRANTS_AMEND = 'Concord_Sales'

function describe(org: Org, name: string) {
  const obj = org.catalog.get(name)
  if (!obj) throw new SalesforceApiError(500, 'UNKNOWN_EXCEPTION', `no ${name} in the catalog`)
  return obj
}

/**
 * Creates the deployed package's permission sets and custom permission (the org has Concord
 * deployed, as it has its objects), with `Concord_Sales` granting `Concord_Amend_Subscriptions`.
 * Nothing is assigned: `assignPermissionSet` (the demo seed) does that.
 */
export function deployPermissions(org: Org, userId: string): void {
  const tx = new Tx()
  const sets = describe(org, 'PermissionSet')
  const ids = new Map<string, string>()
  for (const name of CONCORD_PERMISSION_SETS) {
    const label = name.replace(/_/g, ' ')
    const rec = org.store.insert(tx, sets, { Name: name, Label: label, Type: 'Regular' }, userId)
    ids.set(name, rec.Id)
  }
  const permission = org.store.insert(
    tx,
    describe(org, 'CustomPermission'),
    { DeveloperName: AMEND_PERMISSION, MasterLabel: 'Amend Subscriptions' },
    userId,
  )
  org.store.insert(
    tx,
    describe(org, 'ApexTrigger'),
    { Name: CONCORD_TRIGGER, TableEnumOrId: 'Subscription_Amendment__e', Status: 'Active' },
    userId,
  )
  org.store.insert(
    tx,
    describe(org, 'SetupEntityAccess'),
    {
      ParentId: ids.get(GRANTS_AMEND),
      SetupEntityId: permission.Id,
      SetupEntityType: 'CustomPermission',
    },
    userId,
  )
  tx.undo.length = 0
}

function permissionSetId(org: Org, name: string): string {
  const found = [...org.store.table('PermissionSet').values()].find((r) => r.values.Name === name)
  if (!found) throw new SalesforceApiError(404, 'NOT_FOUND', `no permission set ${name}`)
  return found.Id
}

function userIdOf(org: Org, username: string): string {
  const id = org.users.get(username)
  if (!id) throw new SalesforceApiError(404, 'NOT_FOUND', `no user ${username}`)
  return id
}

/** Assigns a permission set to a user, as `sf org assign permset` would (idempotent). */
export function assignPermissionSet(org: Org, username: string, name: string): string {
  const assignee = userIdOf(org, username)
  const setId = permissionSetId(org, name)
  const table = org.store.table('PermissionSetAssignment')
  const existing = [...table.values()].find(
    (r) => r.values.AssigneeId === assignee && r.values.PermissionSetId === setId,
  )
  if (existing) return existing.Id
  const tx = new Tx()
  const rec = org.store.insert(
    tx,
    describe(org, 'PermissionSetAssignment'),
    { AssigneeId: assignee, PermissionSetId: setId, IsActive: true },
    org.integrationUserId,
  )
  tx.undo.length = 0
  return rec.Id
}

/** Removes a user's assignment of a permission set; returns how many were removed. */
export function unassignPermissionSet(org: Org, username: string, name: string): number {
  const assignee = userIdOf(org, username)
  const setId = permissionSetId(org, name)
  const table = org.store.table('PermissionSetAssignment')
  let removed = 0
  for (const [id, rec] of table) {
    if (rec.values.AssigneeId !== assignee || rec.values.PermissionSetId !== setId) continue
    table.delete(id)
    removed += 1
  }
  return removed
}
