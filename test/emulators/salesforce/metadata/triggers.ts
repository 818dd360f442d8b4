import type { Org } from '../org.ts'
import { Tx } from '../store.ts'
import type { ZipComponent } from './package.ts'

const tag = (xml: string, name: string) =>
  new RegExp(`<${name}>\\s*([^<]*?)\\s*</${name}>`).exec(xml)?.[1]

const source = (c: ZipComponent) =>
  [...c.files.entries()].find(([n]) => !n.endsWith('-meta.xml'))?.[1]?.toString('utf8') ?? ''

const find = (org: Org, object: string, match: (v: Record<string, unknown>) => boolean) =>
  [...org.store.table(object).values()].find((r) => match(r.values))

/**
 * Why an org refuses a `PlatformEventSubscriberConfig`: its trigger is neither in the org nor in
 * the deploy, or its `user` is not an active user of the org ("You can specify any active user":
 * https://developer.salesforce.com/docs/atlas.en-us.platform_events.meta/platform_events/platform_events_trigger_config.htm).
 * The wording of the real messages is not documented; these name the field and the value.
 */
export function subscriberConfigProblem(
  org: Org,
  xml: string,
  deployedTriggers: string[],
): string | undefined {
  const trigger = tag(xml, 'platformEventConsumer')
  if (!tag(xml, 'masterLabel')) return 'Required field is missing: masterLabel'
  if (!trigger) return 'Required field is missing: platformEventConsumer'
  const known =
    deployedTriggers.includes(trigger) ||
    find(org, 'ApexTrigger', (v) => v.Name === trigger) !== undefined
  if (!known) return `In field: platformEventConsumer - no ApexTrigger named ${trigger} found`
  const batch = tag(xml, 'batchSize')
  if (batch !== undefined && !(Number(batch) >= 1 && Number(batch) <= 2000))
    return `In field: batchSize - ${batch} is not between 1 and 2000`
  const username = tag(xml, 'user')
  if (username === undefined) return undefined
  const user = find(org, 'User', (v) => v.Username === username)
  if (!user) return `In field: user - no User named ${username} found`
  if (user.values.IsActive !== true) return `In field: user - the user ${username} is not active`
  return undefined
}

/** The org's `ApexTrigger` row for a deployed trigger (what the Tooling API then lists). */
export function applyTrigger(org: Org, tx: Tx, c: ZipComponent, userId: string): void {
  const table = /\btrigger\s+\w+\s+on\s+(\w+)/i.exec(source(c))?.[1] ?? ''
  const existing = find(org, 'ApexTrigger', (v) => v.Name === c.fullName)
  const describe = org.catalog.get('ApexTrigger')
  if (!describe) throw new Error('no ApexTrigger in the catalog')
  const values = { Name: c.fullName, TableEnumOrId: table, Status: 'Active' }
  if (existing) org.store.update(tx, describe, existing, values, userId)
  else org.store.insert(tx, describe, values, userId)
}

/** The Tooling API's `PlatformEventSubscriberConfig` row for a deployed config (checked first). */
export function applySubscriberConfig(
  org: Org,
  tx: Tx,
  c: ZipComponent,
  xml: string,
  userId: string,
): void {
  const trigger = find(org, 'ApexTrigger', (v) => v.Name === tag(xml, 'platformEventConsumer'))
  const username = tag(xml, 'user')
  const user = username ? find(org, 'User', (v) => v.Username === username) : undefined
  const batch = tag(xml, 'batchSize')
  const values = {
    DeveloperName: c.fullName,
    MasterLabel: tag(xml, 'masterLabel') ?? c.fullName,
    PlatformEventConsumerId: trigger?.Id ?? null,
    UserId: user?.Id ?? null,
    BatchSize: batch === undefined ? null : Number(batch),
  }
  const describe = org.catalog.get('PlatformEventSubscriberConfig')
  if (!describe) throw new Error('no PlatformEventSubscriberConfig in the catalog')
  const existing = find(org, 'PlatformEventSubscriberConfig', (v) => v.DeveloperName === c.fullName)
  if (existing) org.store.update(tx, describe, existing, values, userId)
  else org.store.insert(tx, describe, values, userId)
}

/**
 * A user as an admin creates or (de)activates one in Setup → Users (control action `user`).
 * @returns the user's Id
 */
export function upsertUser(org: Org, username: string, isActive: boolean): string {
  const describe = org.catalog.get('User')
  if (!describe) throw new Error('no User in the catalog')
  const tx = new Tx()
  const existing = find(org, 'User', (v) => v.Username === username)
  if (existing) {
    org.store.update(tx, describe, existing, { IsActive: isActive }, org.integrationUserId)
    tx.undo.length = 0
    return existing.Id
  }
  const rec = org.store.insert(
    tx,
    describe,
    { Username: username, Name: username.split('@')[0] ?? username, IsActive: isActive },
    org.integrationUserId,
  )
  tx.undo.length = 0
  org.users.set(username, rec.Id)
  return rec.Id
}
