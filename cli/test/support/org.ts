import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { AuthInfo, Org, StateAggregator, type Connection } from '@salesforce/core'
import { ComponentSet } from '@salesforce/source-deploy-retrieve'
import { configureTriggerUser } from '../../src/setup/trigger-user.ts'
import { signJwt, tokenRequest } from '../../../test/emulators/salesforce/test-support.ts'
import type { VendorStack } from '../../../test/stack/vendors.ts'

/**
 * Logs `sf` into the Salesforce emulator as an admin would with `sf org login access-token`: a
 * token from the emulator's JWT bearer flow, saved as an auth file under `alias` (in the test
 * HOME that vitest.config.ts sets), so commands take `--target-org <alias>` as they would.
 */
export async function loginToEmulator(vendors: VendorStack, alias: string): Promise<string> {
  const b = vendors.bindings
  const url = vendors.salesforce.url
  const now = Math.floor(Date.now() / 1000)
  const assertion = signJwt(b.SALESFORCE_PRIVATE_KEY ?? '', {
    iss: b.SALESFORCE_CLIENT_ID,
    sub: b.SALESFORCE_USERNAME,
    aud: 'https://login.salesforce.com',
    exp: now + 120,
  })
  const res = await tokenRequest(url, {
    grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
    assertion,
  })
  if (res.status !== 200) throw new Error(`emulator token: ${res.status}`)
  const body = res.body as { access_token: string; instance_url: string }
  const username = b.SALESFORCE_USERNAME ?? ''
  const state = await StateAggregator.getInstance()
  if (await state.orgs.exists(username)) await state.orgs.remove(username)
  const auth = await AuthInfo.create({
    accessTokenOptions: {
      accessToken: body.access_token,
      instanceUrl: body.instance_url,
      loginUrl: url,
      username,
      orgId: vendors.salesforce.sf.org.orgId,
      namespacePrefix: '',
      isDevHub: false,
      instanceApiVersion: '65.0',
      instanceApiVersionLastRetrieved: new Date().toISOString(),
    },
  })
  await auth.save()
  await state.aliases.setAndSave(alias, username)
  return body.access_token
}

/**
 * Puts the intake signing secret in the `Concord_Worker` principal (`Signer`) as an admin (or
 * `sf concord setup`) does through the Connect REST API: created the first time, replaced after.
 */
export function storeSigningSecret(vendors: VendorStack, secret: string): void {
  const store = vendors.salesforce.sf.credentials
  const exists = store.value('Concord_Worker', 'Signer', 'SigningSecret') !== undefined
  store.write(
    {
      externalCredential: 'Concord_Worker',
      principalName: 'Signer',
      principalType: 'NamedPrincipal',
      authenticationProtocol: 'Custom',
      credentials: { SigningSecret: { value: secret, encrypted: true } },
    },
    exists ? 'replace' : 'create',
  )
}

/** The Concord checkout (holds sfdx/), for the commands' --project-dir. */
export const REPO = fileURLToPath(new URL('../../..', import.meta.url))

/** The org connection `sf` has for an alias (as the commands get it). */
export async function connectionFor(alias: string): Promise<Connection> {
  return (await Org.create({ aliasOrUsername: alias })).getConnection()
}

/** Creates or (de)activates a user in the emulated org, as an admin does in Setup → Users. */
export async function sfUser(vendors: VendorStack, username: string, isActive = true) {
  const res = await fetch(`${vendors.salesforce.url}/__control/salesforce/user`, {
    method: 'POST',
    body: JSON.stringify({ username, isActive }),
  })
  if (res.status !== 200) throw new Error(`emulator user: ${res.status}`)
}

/**
 * The relay user an admin sets up once per org (sfdx/README.md "The relay user"): an active
 * user holding Concord_Relay, named by the trigger's PlatformEventSubscriberConfig (deployed as
 * setup deploys it).
 */
export async function setUpRelayUser(vendors: VendorStack, conn: Connection, username: string) {
  await sfUser(vendors, username)
  await fetch(`${vendors.salesforce.url}/__control/salesforce/assignPermissionSet`, {
    method: 'POST',
    body: JSON.stringify({ username, permissionSet: 'Concord_Relay' }),
  })
  await configureTriggerUser(conn, REPO, username, () => {})
}

/** Deploys the Concord_Worker named credential with `url` alone (Metadata API), as an admin could. */
export async function deployNamedCredential(conn: Connection, url: string): Promise<boolean> {
  const dir = mkdtempSync(join(tmpdir(), 'concord-nc-'))
  const folder = join(dir, 'main', 'default', 'namedCredentials')
  mkdirSync(folder, { recursive: true })
  writeFileSync(
    join(folder, 'Concord_Worker.namedCredential-meta.xml'),
    `<?xml version="1.0" encoding="UTF-8"?>
<NamedCredential xmlns="http://soap.sforce.com/2006/04/metadata">
    <allowMergeFieldsInBody>false</allowMergeFieldsInBody>
    <allowMergeFieldsInHeader>true</allowMergeFieldsInHeader>
    <calloutStatus>Enabled</calloutStatus>
    <generateAuthorizationHeader>false</generateAuthorizationHeader>
    <label>Concord Worker</label>
    <namedCredentialParameters>
        <parameterName>Url</parameterName>
        <parameterType>Url</parameterType>
        <parameterValue>${url}</parameterValue>
    </namedCredentialParameters>
    <namedCredentialType>SecuredEndpoint</namedCredentialType>
</NamedCredential>
`,
  )
  const op = await ComponentSet.fromSource([join(dir, 'main')]).deploy({
    usernameOrConnection: conn,
  })
  return (await op.pollStatus(200, 60)).response.success
}
