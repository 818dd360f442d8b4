import { AuthInfo, StateAggregator } from '@salesforce/core'
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
