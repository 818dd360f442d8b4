import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { clientCredentialsToken, startTestOrg, type TestOrg } from './test-support.ts'

describe('API request allocation (Sforce-Limit-Info)', () => {
  let org: TestOrg
  beforeEach(async () => {
    org = await startTestOrg({ dailyApiLimit: 5 })
  })
  afterEach(() => org.close())

  it('counts every REST call in the header and in state, and refuses calls once the allocation is spent', async () => {
    const headers: (string | null)[] = []
    for (let i = 0; i < 5; i++) {
      const res = await org.api('GET', '/limits')
      expect(res.status).toBe(200)
      headers.push(res.headers.get('sforce-limit-info'))
    }
    expect(headers).toEqual([
      'api-usage=1/5',
      'api-usage=2/5',
      'api-usage=3/5',
      'api-usage=4/5',
      'api-usage=5/5',
    ])
    const refused = await org.api('GET', '/limits')
    expect(refused.status).toBe(403)
    expect(refused.body).toEqual([
      { message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' },
    ])
    expect(refused.headers.get('sforce-limit-info')).toBe('api-usage=5/5')
    const state = await org.state()
    expect(state.api).toEqual({ used: 5, max: 5, total: 5, refused: 1 })
  })

  it('reports DailyApiRequests from /limits, counting the call itself', async () => {
    const res = await org.api('GET', '/limits')
    expect(res.body.DailyApiRequests).toEqual({ Max: 5, Remaining: 4 })
  })

  it('frees the allocation as calls age out of the rolling 24 hours', async () => {
    await org.control('limit', { used: 5 })
    expect((await org.api('GET', '/limits')).status).toBe(403)
    await org.control('advanceClock', { hours: 24, minutes: 2 })
    org.token = await clientCredentialsToken(org.url) // the 2-hour session lapsed meanwhile
    const res = await org.api('GET', '/limits')
    expect(res.status).toBe(200)
    expect(res.headers.get('sforce-limit-info')).toBe('api-usage=1/5')
  })

  it('lets the control API raise the allocation', async () => {
    await org.control('limit', { max: 1000, used: 998 })
    const res = await org.api('GET', '/limits')
    expect(res.headers.get('sforce-limit-info')).toBe('api-usage=999/1000')
  })

  it('does not count token requests, the versions list or unauthenticated calls', async () => {
    await fetch(`${org.url}/services/data`)
    await fetch(`${org.url}/services/data/v65.0/limits`)
    expect((await org.state()).api.total).toBe(0)
  })

  it('answers injected HTTP faults with Salesforce-shaped bodies', async () => {
    await fetch(`${org.url}/__control/faults`, {
      method: 'POST',
      body: JSON.stringify({
        rules: [
          { route: '/limits', status: 503, count: 1 },
          { route: '/query', status: 500, count: 1 },
        ],
      }),
    })
    const unavailable = await org.api('GET', '/limits')
    expect(unavailable).toMatchObject({ status: 503, body: [{ errorCode: 'SERVER_UNAVAILABLE' }] })
    expect(unavailable.headers.get('sforce-limit-info')).toMatch(/^api-usage=\d+\/5$/)
    const broken = await org.api('GET', '/query?q=SELECT+Id+FROM+Account')
    expect(broken).toMatchObject({ status: 500, body: [{ errorCode: 'UNKNOWN_EXCEPTION' }] })
    expect((await org.api('GET', '/limits')).status).toBe(200)
  })
})
