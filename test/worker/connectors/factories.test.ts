import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../../worker/config/load.ts'
import { netsuiteConnector, netsuiteReader } from '../../../worker/connectors/netsuite/index.ts'
import { salesforceOrg } from '../../../worker/connectors/salesforce/index.ts'
import { stripeConnector } from '../../../worker/connectors/stripe/index.ts'
import { gates } from '../support/connectors.ts'

/** A `fetch` that passes every call on and remembers where it went. */
function recordingFetch(): { fetch: typeof fetch; hosts: string[] } {
  const hosts: string[] = []
  const send: typeof fetch = (input, init) => {
    const url = input instanceof Request ? input.url : String(input)
    hosts.push(new URL(url).pathname)
    return fetch(input, init)
  }
  return { fetch: send, hosts }
}

describe('connector factories', () => {
  const config = loadConfig(env)

  it('sends every Stripe call through the fetch they were given', async () => {
    const probe = recordingFetch()
    const stripe = stripeConnector(config.stripe, probe.fetch)
    await stripe?.reader.listMappedCustomers()
    expect(probe.hosts).toEqual(['/v1/customers'])
  })

  it('sends Salesforce REST calls through the fetch they were given', async () => {
    const probe = recordingFetch()
    const section = config.salesforce
    if (section.status !== 'ok') throw new Error('the worker test env has Salesforce settings')
    // An org of its own (another API version), so the isolate's shared client is not reused; the
    // login token may be (it is cached per user), so only the REST call is sure to be sent.
    const own = { ...section, settings: { ...section.settings, apiVersion: '64.0' } }
    const org = salesforceOrg(own, probe.fetch)
    await org?.client.call('GET', '/limits')
    expect(probe.hosts).toContain('/services/data/v64.0/limits')
  })

  it('sends NetSuite token and SuiteQL calls through the fetch they were given', async () => {
    const probe = recordingFetch()
    const parts = netsuiteConnector(config.netsuite, gates, probe.fetch)
    if (!parts || !('client' in parts)) throw new Error('the worker test env has NetSuite settings')
    await netsuiteReader(parts).readArSince(undefined, { pageSize: 5, maxRows: 5 })
    expect(probe.hosts.some((p) => p.includes('/suiteql'))).toBe(true)
  })

  it('answers a vendor whose section is absent with nothing, and an invalid one with its problems', async () => {
    expect(stripeConnector({ status: 'absent' })).toBeUndefined()
    expect(salesforceOrg({ status: 'absent' })).toBeUndefined()
    const broken = netsuiteConnector(
      { status: 'invalid', problems: ['NETSUITE_X: missing'] },
      gates,
    )
    if (!broken || !('failure' in broken)) throw new Error('expected a configuration failure')
    const err = await netsuiteReader(broken)
      .readArSince()
      .catch((e: unknown) => e)
    expect(err).toMatchObject({ kind: 'transient', code: 'misconfigured' })
    expect(String((err as Error).message)).toContain('NETSUITE_X')
  })
})
