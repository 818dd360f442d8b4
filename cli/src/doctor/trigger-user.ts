import type { Connection } from '@salesforce/core'
import { messageOf } from '../lib/failure.ts'
import { fail, pass, warn, type CheckResult } from './check.ts'

/** The package's platform event triggers (sfdx/main/default/triggers; a unit test keeps them in step). */
export const PLATFORM_EVENT_TRIGGERS = ['SubscriptionAmendmentRelay'] as const
/** What the trigger's running user needs: the Concord_Worker principal and the relay classes. */
export const RELAY_PERMISSION_SET = 'Concord_Relay'
/** `sfdx/org`'s batch size: one trigger run is one Queueable and one callout (sfdx/README.md). */
export const RELAY_BATCH_SIZE = 500

export interface TriggerUserTarget {
  conn: Connection
  org: string
  workerUrl: string
  /** The user the trigger should run as, when the admin names it (--relay-user). */
  relayUser?: string
}

interface SubscriberConfig {
  DeveloperName: string
  PlatformEventConsumerId: string
  UserId: string | null
  BatchSize: number | null
}

const quote = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ')

/** One trigger's line, from what the Tooling API and SOQL said about it. */
function verdict(
  t: TriggerUserTarget,
  trigger: string,
  config: SubscriberConfig | undefined,
  user: { Username: string; IsActive: boolean } | undefined,
  holds: boolean,
): CheckResult {
  const check = `${trigger} running user`
  const setup = `sf concord setup --target-org ${t.org} --worker-url ${t.workerUrl} --relay-user <username>`
  if (!config?.UserId)
    return fail(
      'salesforce',
      check,
      'runs as Automated Process (no PlatformEventSubscriberConfig names a user), which cannot use the Concord_Worker principal: every relay callout fails',
      `Name a dedicated, active user with ${RELAY_PERMISSION_SET}: ${setup} (it assigns the permission set and deploys the config).`,
    )
  if (!user)
    return fail(
      'salesforce',
      check,
      `${config.DeveloperName} names user ${config.UserId}, which the org does not have`,
      `Name an existing user: ${setup}.`,
    )
  if (t.relayUser && user.Username !== t.relayUser)
    return fail(
      'salesforce',
      check,
      `runs as ${user.Username}, not ${t.relayUser}`,
      `Name ${t.relayUser}: ${setup.replace('<username>', t.relayUser)}.`,
    )
  if (!user.IsActive)
    return fail(
      'salesforce',
      check,
      `runs as ${user.Username}, who is inactive: the trigger cannot run`,
      `Reactivate ${user.Username} in Setup → Users, or name another user: ${setup}.`,
    )
  if (!holds)
    return fail(
      'salesforce',
      check,
      `runs as ${user.Username}, who lacks ${RELAY_PERMISSION_SET}: the relay's signed callout is refused the Concord_Worker principal`,
      `sf org assign permset --name ${RELAY_PERMISSION_SET} --on-behalf-of ${user.Username} --target-org ${t.org}`,
    )
  const detail = `runs as ${user.Username} (active, holds ${RELAY_PERMISSION_SET}), batch size ${config.BatchSize ?? 2000}`
  if (config.BatchSize !== RELAY_BATCH_SIZE)
    return warn(
      'salesforce',
      check,
      detail,
      `Set the batch size to ${RELAY_BATCH_SIZE}, as sfdx/org has it (one trigger run = one relay callout): sf concord setup redeploys it.`,
    )
  return pass('salesforce', check, detail)
}

/**
 * Platform event triggers run as Automated Process unless a `PlatformEventSubscriberConfig`
 * (Tooling API: `PlatformEventConsumerId` = the trigger, `UserId`, `BatchSize`) names a user.
 * For each of the package's triggers: that a config names a user, who is active and holds
 * `Concord_Relay`, with the package's batch size.
 */
export async function checkTriggerUsers(t: TriggerUserTarget): Promise<CheckResult[]> {
  try {
    const triggers = await t.conn.tooling.query<{ Id: string; Name: string }>(
      `SELECT Id, Name FROM ApexTrigger WHERE Name IN (${quote(PLATFORM_EVENT_TRIGGERS)})`,
    )
    const ids = triggers.records.map((r) => r.Id)
    const configs = ids.length
      ? (
          await t.conn.tooling.query<SubscriberConfig>(
            `SELECT DeveloperName, PlatformEventConsumerId, UserId, BatchSize FROM PlatformEventSubscriberConfig WHERE PlatformEventConsumerId IN (${quote(ids)})`,
          )
        ).records
      : []
    const userIds = configs.map((c) => c.UserId).filter((u): u is string => !!u)
    const users = userIds.length
      ? (
          await t.conn.query<{ Id: string; Username: string; IsActive: boolean }>(
            `SELECT Id, Username, IsActive FROM User WHERE Id IN (${quote(userIds)})`,
          )
        ).records
      : []
    const holders = userIds.length
      ? (
          await t.conn.query<{ AssigneeId: string }>(
            `SELECT AssigneeId FROM PermissionSetAssignment WHERE PermissionSet.Name = '${RELAY_PERMISSION_SET}' AND AssigneeId IN (${quote(userIds)})`,
          )
        ).records.map((r) => r.AssigneeId)
      : []
    return PLATFORM_EVENT_TRIGGERS.map((name) => {
      const trigger = triggers.records.find((r) => r.Name === name)
      if (!trigger)
        return fail(
          'salesforce',
          `${name} running user`,
          'the trigger is not in the org',
          `Deploy the package: sf concord setup --target-org ${t.org} --worker-url ${t.workerUrl}.`,
        )
      const config = configs.find((c) => c.PlatformEventConsumerId === trigger.Id)
      const user = users.find((u) => u.Id === config?.UserId)
      return verdict(t, name, config, user, !!user && holders.includes(user.Id))
    })
  } catch (err) {
    return [
      fail(
        'salesforce',
        'trigger running user',
        `the Tooling API query failed: ${messageOf(err)}`,
        'The user needs "View Setup and Configuration" to read the triggers’ subscriber configs.',
      ),
    ]
  }
}
