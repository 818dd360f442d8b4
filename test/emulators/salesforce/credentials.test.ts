import type { Connection } from '@salesforce/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { jsforce, startTestOrg, type TestOrg } from './test-support.ts'

const PATH = '/services/data/v65.0/named-credentials/credential'
const QUERY = '?externalCredential=Concord_Worker&principalName=Signer&principalType=NamedPrincipal'

/** External Credential principal parameters, driven through jsforce as a Connect REST client would. */
describe('Connect REST named-credentials/credential', () => {
  let org: TestOrg
  let conn: Connection

  beforeAll(async () => {
    org = await startTestOrg()
    conn = await jsforce(org)
  })
  afterAll(() => org.close())

  const body = (value: string) =>
    JSON.stringify({
      externalCredential: 'Concord_Worker',
      authenticationProtocol: 'Custom',
      principalName: 'Signer',
      principalType: 'NamedPrincipal',
      credentials: { SigningSecret: { value, encrypted: true } },
    })
  const send = (method: 'POST' | 'PUT', value: string) =>
    conn.request({
      method,
      url: PATH,
      body: body(value),
      headers: { 'content-type': 'application/json' },
    })

  it('stores a principal’s parameter, shows that it is there, never its value', async () => {
    expect(await conn.request(PATH + QUERY)).toMatchObject({
      authenticationStatus: 'NotConfigured',
      credentials: {},
    })
    await send('POST', 'first-secret-value')
    const view = await conn.request<Record<string, unknown>>(PATH + QUERY)
    expect(view).toMatchObject({
      authenticationStatus: 'Configured',
      credentials: { SigningSecret: { encrypted: true } },
    })
    expect(JSON.stringify(view)).not.toContain('first-secret-value')
    await expect(send('POST', 'again')).rejects.toThrow(/DUPLICATE_VALUE|already exists/)
    await send('PUT', 'second-secret-value')
    expect(org.emu.sf.credentials.value('Concord_Worker', 'Signer', 'SigningSecret')).toBe(
      'second-secret-value',
    )
  })

  it('refuses an external credential or principal the org does not have', async () => {
    await expect(
      conn.request(
        `${PATH}?externalCredential=Nope&principalName=Signer&principalType=NamedPrincipal`,
      ),
    ).rejects.toThrow(/Nope was not found/)
    await expect(
      conn.request(
        `${PATH}?externalCredential=Concord_Worker&principalName=Other&principalType=NamedPrincipal`,
      ),
    ).rejects.toThrow(/no named principal Other/)
  })
})
