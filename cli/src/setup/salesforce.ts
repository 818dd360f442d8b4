import type { Connection } from '@salesforce/core'
import { failure, messageOf } from '../lib/failure.ts'
import { step, type StepResult } from './step.ts'

const soql = (s: string) => s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")

/**
 * Assigns a permission set to a user through the REST API (a `PermissionSetAssignment` record),
 * unless the user holds it already.
 * @throws SfError when the user or the permission set does not exist, or the org refuses.
 */
export async function assignPermissionSet(
  conn: Connection,
  permissionSet: string,
  username: string,
): Promise<StepResult> {
  const name = `assign ${permissionSet}`
  const doing = `Assigning ${permissionSet} to ${username}`
  try {
    const users = await conn.query<{ Id: string }>(
      `SELECT Id FROM User WHERE Username = '${soql(username)}'`,
    )
    const user = users.records[0]?.Id
    if (!user)
      throw failure({
        doing,
        said: `the org has no user ${username}`,
        next: ['Create the user first, or pass the right username (--integration-user).'],
        code: 'UserNotFound',
      })
    const sets = await conn.query<{ Id: string }>(
      `SELECT Id FROM PermissionSet WHERE Name = '${soql(permissionSet)}'`,
    )
    const set = sets.records[0]?.Id
    if (!set)
      throw failure({
        doing,
        said: `the org has no permission set ${permissionSet}`,
        next: ['The package deploy creates it: check the deploy step above, then run setup again.'],
        code: 'PermissionSetNotFound',
      })
    const held = await conn.query<{ Id: string }>(
      `SELECT Id FROM PermissionSetAssignment WHERE AssigneeId = '${user}' AND PermissionSetId = '${set}'`,
    )
    if (held.records.length > 0) return step(name, 'unchanged', `${username} holds it`)
    const created = await conn
      .sobject('PermissionSetAssignment')
      .create({ AssigneeId: user, PermissionSetId: set })
    if (!created.success) throw new Error(JSON.stringify(created.errors))
    return step(name, 'created', `assigned to ${username}`)
  } catch (err) {
    if (err instanceof Error && /NotFound$/.test(err.name)) throw err
    throw failure({
      doing,
      said: `Salesforce answered: ${messageOf(err)}`,
      next: [
        `Assign it by hand: sf org assign permset --name ${permissionSet} --on-behalf-of ${username}`,
      ],
      code: 'AssignFailed',
    })
  }
}

export const EXTERNAL_CREDENTIAL = 'Concord_Worker'
export const PRINCIPAL = 'Signer'
export const SIGNING_PARAMETER = 'SigningSecret'

interface CredentialView {
  authenticationStatus?: string
  credentials?: Record<string, { encrypted?: boolean }>
}

/** Whether the `Concord_Worker` principal already holds a signing secret (it cannot be read back). */
export async function signingSecretPresent(conn: Connection, version: string): Promise<boolean> {
  const q = new URLSearchParams({
    externalCredential: EXTERNAL_CREDENTIAL,
    principalName: PRINCIPAL,
    principalType: 'NamedPrincipal',
  })
  try {
    const view = await conn.request<CredentialView>(
      `/services/data/v${version}/named-credentials/credential?${q.toString()}`,
    )
    return view.credentials?.[SIGNING_PARAMETER] !== undefined
  } catch (err) {
    throw failure({
      doing: `Reading the ${EXTERNAL_CREDENTIAL} external credential`,
      said: `Salesforce answered: ${messageOf(err)}`,
      next: ['The package deploy creates it: check the deploy step, then run setup again.'],
      code: 'CredentialUnreadable',
    })
  }
}

/**
 * Stores the intake signing secret as the `SigningSecret` parameter of the `Signer` principal
 * (Connect REST API `named-credentials/credential`: POST the first time, PUT after), encrypted.
 * @throws SfError naming what Salesforce said; the secret itself is never part of it.
 */
export async function storeSigningSecret(
  conn: Connection,
  version: string,
  secret: string,
  exists: boolean,
): Promise<void> {
  const body = {
    externalCredential: EXTERNAL_CREDENTIAL,
    authenticationProtocol: 'Custom',
    principalName: PRINCIPAL,
    principalType: 'NamedPrincipal',
    credentials: { [SIGNING_PARAMETER]: { value: secret, encrypted: true } },
  }
  try {
    await conn.request({
      method: exists ? 'PUT' : 'POST',
      url: `/services/data/v${version}/named-credentials/credential`,
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    })
  } catch (err) {
    throw failure(
      {
        doing: `Storing the signing secret in ${EXTERNAL_CREDENTIAL} (principal ${PRINCIPAL})`,
        said: `Salesforce answered: ${messageOf(err)}`,
        next: [
          'The user running setup needs Manage Named Credentials; check the external credential was deployed, then run setup again.',
        ],
        code: 'CredentialWriteFailed',
      },
      [secret],
    )
  }
}
