import type { Connection } from '@salesforce/core'
import { messageOf } from '../lib/failure.ts'
import { fail, pass, warn, type CheckResult } from './check.ts'

/** The permission sets `sfdx/` deploys (the Concord_Admin group bundles Sales + Operations). */
export const PERMISSION_SETS = [
  'Concord_Integration',
  'Concord_Viewer',
  'Concord_Sales',
  'Concord_Operations',
] as const
export const AMEND_PERMISSION = 'Concord_Amend_Subscriptions'

export interface SalesforceTarget {
  conn: Connection
  /** How the admin named the org (alias or username), for the commands in each fix. */
  org: string
  /** The worker's API-only user, when the admin names it. */
  integrationUser?: string
}

const quote = (values: readonly string[]) =>
  values.map((v) => `'${v.replace(/'/g, "\\'")}'`).join(', ')

async function apiShare(t: SalesforceTarget): Promise<CheckResult[]> {
  let limits: Record<string, { Max: number; Remaining: number }>
  try {
    limits = await t.conn.request<Record<string, { Max: number; Remaining: number }>>(
      `/services/data/v${t.conn.getApiVersion()}/limits`,
    )
  } catch (err) {
    return [
      fail(
        'salesforce',
        'auth',
        `Salesforce refused ${t.conn.getUsername() ?? t.org} on ${t.conn.instanceUrl}: ${messageOf(err)}`,
        `Log in again: sf org login web --alias ${t.org} (or sf org login jwt for an API-only user).`,
      ),
    ]
  }
  const auth = pass(
    'salesforce',
    'auth',
    `${t.conn.getUsername() ?? t.org} on ${t.conn.instanceUrl} (API ${t.conn.getApiVersion()})`,
  )
  const daily = limits.DailyApiRequests
  if (!daily)
    return [
      auth,
      warn(
        'salesforce',
        'API requests left',
        'the org reports no DailyApiRequests limit',
        'Check the org edition’s API access.',
      ),
    ]
  const left = daily.Remaining / daily.Max
  const detail = `${daily.Remaining.toLocaleString('en-US')} of ${daily.Max.toLocaleString('en-US')} daily API requests left (${(left * 100).toFixed(1)}%)`
  if (daily.Remaining <= 0)
    return [
      auth,
      fail(
        'salesforce',
        'API requests left',
        detail,
        'The org is out of API requests for the rolling 24 h: writes wait until it recovers. Find the heavy user in Setup → System Overview, or buy more API capacity.',
      ),
    ]
  if (left < 0.1)
    return [
      auth,
      warn(
        'salesforce',
        'API requests left',
        detail,
        'Under 10% left: the worker slows its writes near its SALESFORCE_API_SHARE; find what else uses the API in Setup → System Overview.',
      ),
    ]
  return [auth, pass('salesforce', 'API requests left', detail)]
}

async function permissionSets(t: SalesforceTarget): Promise<CheckResult> {
  const found = await t.conn.query<{ Name: string }>(
    `SELECT Id, Name FROM PermissionSet WHERE Name IN (${quote(PERMISSION_SETS)})`,
  )
  const names = new Set(found.records.map((r) => r.Name))
  const missing = PERMISSION_SETS.filter((n) => !names.has(n))
  if (missing.length)
    return fail(
      'salesforce',
      'permission sets deployed',
      `missing: ${missing.join(', ')}`,
      `Deploy the Salesforce package: sf project deploy start --target-org ${t.org} (sfdx/README.md).`,
    )
  return pass('salesforce', 'permission sets deployed', PERMISSION_SETS.join(', '))
}

async function integrationAssignment(t: SalesforceTarget): Promise<CheckResult> {
  const rows = await t.conn.query<{ Assignee: { Username: string } | null }>(
    "SELECT Assignee.Username FROM PermissionSetAssignment WHERE PermissionSet.Name = 'Concord_Integration'",
  )
  const users = rows.records.map((r) => r.Assignee?.Username).filter((u): u is string => !!u)
  const user = t.integrationUser ?? '<the worker’s API-only user>'
  const fix = `sf org assign permset --name Concord_Integration --on-behalf-of ${user} --target-org ${t.org}`
  if (t.integrationUser && !users.includes(t.integrationUser))
    return fail(
      'salesforce',
      'Concord_Integration assigned',
      `${t.integrationUser} does not have it${users.length ? ` (assigned to: ${users.join(', ')})` : ''}`,
      fix,
    )
  if (!users.length)
    return fail(
      'salesforce',
      'Concord_Integration assigned',
      'no user has it: the worker cannot write to Salesforce',
      fix,
    )
  return pass('salesforce', 'Concord_Integration assigned', users.join(', '))
}

async function amendPermission(t: SalesforceTarget): Promise<CheckResult> {
  const check = `${AMEND_PERMISSION} assigned`
  const cp = await t.conn.query<{ Id: string }>(
    `SELECT Id FROM CustomPermission WHERE DeveloperName = '${AMEND_PERMISSION}'`,
  )
  const id = cp.records[0]?.Id
  if (!id)
    return fail(
      'salesforce',
      check,
      'the custom permission is not in the org',
      `Deploy the Salesforce package: sf project deploy start --target-org ${t.org}.`,
    )
  const grants = await t.conn.query<{ ParentId: string; Parent: { Name: string } | null }>(
    `SELECT ParentId, Parent.Name FROM SetupEntityAccess WHERE SetupEntityType = 'CustomPermission' AND SetupEntityId = '${id}'`,
  )
  if (!grants.records.length)
    return fail(
      'salesforce',
      check,
      'no permission set grants it',
      `Redeploy Concord_Sales, which grants it: sf project deploy start --target-org ${t.org}.`,
    )
  const holders = await t.conn.query<{ Assignee: { Username: string } | null }>(
    `SELECT Assignee.Username FROM PermissionSetAssignment WHERE PermissionSetId IN (${quote(grants.records.map((g) => g.ParentId))})`,
  )
  const users = holders.records.map((r) => r.Assignee?.Username).filter((u): u is string => !!u)
  const via = grants.records.map((g) => g.Parent?.Name ?? g.ParentId).join(', ')
  if (!users.length)
    return fail(
      'salesforce',
      check,
      `granted by ${via}, but nobody holds it: no rep can amend a subscription`,
      `sf org assign permset --name Concord_Sales --on-behalf-of <rep username> --target-org ${t.org} (or Concord_Admin for operators).`,
    )
  return pass(
    'salesforce',
    check,
    `${users.length} user${users.length === 1 ? '' : 's'} via ${via}: ${users.slice(0, 5).join(', ')}${users.length > 5 ? ', …' : ''}`,
  )
}

/**
 * Salesforce's side: the login and the API requests left, the package's permission sets, the
 * integration user's assignment, and who may amend. Stops after a refused login.
 */
export async function checkSalesforce(t: SalesforceTarget): Promise<CheckResult[]> {
  const results = await apiShare(t)
  if (results[0]?.status === 'fail') return results
  const steps = [
    ['permission sets deployed', permissionSets],
    ['Concord_Integration assigned', integrationAssignment],
    [`${AMEND_PERMISSION} assigned`, amendPermission],
  ] as const
  for (const [check, step] of steps) {
    try {
      results.push(await step(t))
    } catch (err) {
      results.push(
        fail(
          'salesforce',
          check,
          `the query failed: ${messageOf(err)}`,
          'The user needs the "View Setup and Configuration" permission to read permission sets.',
        ),
      )
    }
  }
  return results
}
