import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Connection } from '@salesforce/core'
import { failure } from '../lib/failure.ts'
import { deploySource, xmlEscape } from './deploy.ts'
import type { StepResult } from './step.ts'

/** Where the package keeps its org-specific subscriber configs (one per platform event trigger). */
export const SUBSCRIBER_CONFIGS = 'sfdx/org/PlatformEventSubscriberConfigs'

const soql = (s: string) => s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")

/** How to create the relay user: the documented API-only setup (Salesforce Help, "Give Integration Users API Only Access"). */
export const CREATE_RELAY_USER = [
  'Create it in Setup → Users → New User: user licence "Salesforce Integration", profile "Minimum Access - API Only Integrations", a username unique across all orgs (e.g. concord-relay@yourcompany.com); in Setup → Users → <the user> → Permission Set License Assignments, add "Salesforce API Integration".',
  'Use a dedicated user: not the worker’s API user, not a person (a deactivated running user stops the relay). Then run setup again with --relay-user <that username>.',
]

/**
 * @throws SfError when the org has no such user (saying how to create one) or it is inactive
 * (platform event triggers run only as an active user).
 */
async function requireActiveUser(conn: Connection, username: string): Promise<void> {
  const doing = `Checking the relay user ${username}`
  const found = await conn.query<{ Id: string; IsActive: boolean }>(
    `SELECT Id, IsActive FROM User WHERE Username = '${soql(username)}'`,
  )
  const user = found.records[0]
  if (!user)
    throw failure({
      doing,
      said: `the org has no user ${username}`,
      next: CREATE_RELAY_USER,
      code: 'UserNotFound',
    })
  if (!user.IsActive)
    throw failure({
      doing,
      said: `${username} is inactive, and a platform event trigger runs only as an active user`,
      next: [
        `Reactivate it in Setup → Users → ${username} → Edit → Active, or name another user with --relay-user.`,
      ],
      code: 'UserInactive',
    })
}

/**
 * A copy of `sfdx/org` whose subscriber configs name `username` (XML-escaped) in `<user>`.
 * @throws SfError when the project has no subscriber configs.
 */
export function stageSubscriberConfigs(projectDir: string, username: string): string {
  const source = join(projectDir, SUBSCRIBER_CONFIGS)
  if (!existsSync(source))
    throw failure({
      doing: 'Reading the trigger subscriber configs',
      said: `${source} does not exist`,
      next: ['Run setup from the Concord checkout, or pass --project-dir <its path>.'],
      code: 'PackageNotFound',
    })
  const dir = mkdtempSync(join(tmpdir(), 'concord-trigger-user-'))
  const target = join(dir, 'org', 'PlatformEventSubscriberConfigs')
  cpSync(source, target, { recursive: true })
  for (const name of readdirSync(target)) {
    const file = join(target, name)
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(
        /<user>[^<]*<\/user>/,
        `<user>${xmlEscape(username)}</user>`,
      ),
    )
  }
  return dir
}

/**
 * Runs the package's platform event triggers as `username` instead of Automated Process: deploys
 * each `PlatformEventSubscriberConfig` of `sfdx/org` naming that user (Metadata API, as
 * sfdx/README.md's step 3 does by hand), after checking the user exists and is active. A
 * second run with the same user deploys the same components, which the org reports unchanged.
 * @throws SfError when the user is missing (with how to create it), inactive, or the org refuses.
 */
export async function configureTriggerUser(
  conn: Connection,
  projectDir: string,
  username: string,
  onProgress: (status: string) => void,
): Promise<StepResult> {
  await requireActiveUser(conn, username)
  const dir = stageSubscriberConfigs(projectDir, username)
  try {
    return await deploySource(
      conn,
      join(dir, 'org'),
      {
        step: 'trigger running user',
        doing: `Running the relay trigger as ${username} (PlatformEventSubscriberConfig)`,
        next: 'Check that the package deploy above succeeded (the config names its trigger), then run setup again.',
      },
      onProgress,
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
