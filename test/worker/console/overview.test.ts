import { afterEach, describe, expect, it, vi } from 'vitest'
import type { RecordSink } from '../../../worker/writer/types.ts'
import {
  amendmentEvent,
  expectSafeError,
  operatorFetch,
  postEvents,
  useRecordSink,
} from '../support/helpers.ts'
import { TEST_VIEWER_TOKEN } from '../support/test-config.ts'
import { consoleFetch, signInByLink } from './support.ts'
import { until } from '../../support/poll.ts'

type Overview = { backlog: { quarantined: number; exceptions: Record<string, number> } }

const quarantined = async () => {
  const res = await operatorFetch('/v1/overview', { token: TEST_VIEWER_TOKEN })
  expect(res.status).toBe(200)
  return (await res.json<Overview>()).backlog.quarantined
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('the overview', () => {
  it('counts a rejected event in the quarantine, in the JSON API and on the console alike', async () => {
    const before = await quarantined()
    const res = await postEvents([amendmentEvent({ Quantity__c: -3 })])
    expect(res.status).toBe(200)
    // The count reaches the overview through the metrics roll-ups (batched, not counted on load).
    await until('the quarantine count to reach the roll-ups', async () => {
      return (await quarantined()) === before + 1
    })
    const cookie = await signInByLink()
    const page = await consoleFetch('/console', { headers: { cookie } })
    expect(page.status).toBe(200)
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'")
    const html = await page.text()
    expect(html).toMatch(
      new RegExp(`Quarantined inputs</a></dt><dd>${before + 1}<small>oldest \\d+ s ago`),
    )
    const partial = await consoleFetch('/console/partials/backlog', {
      headers: { cookie, 'hx-request': 'true' },
    })
    const fragment = await partial.text()
    expect(fragment).toMatch(/^<section id="backlog"/)
    expect(fragment).toContain('hx-trigger="every 15s"')
    expect(fragment).toContain(`<dd>${before + 1}<small>`)
  })

  it('needs an operator token in the JSON API', async () => {
    const res = await operatorFetch('/v1/overview', { token: 'nope' })
    expect(res.status).toBe(401)
    await expectSafeError(res)
  })

  it('blanks only the tile whose object cannot answer, and logs why', async () => {
    useRecordSink({} as RecordSink)
    const cookie = await signInByLink()
    const page = await consoleFetch('/console', { headers: { cookie } })
    expect(page.status).toBe(200)
    const html = await page.text()
    expect(html).toMatch(/Salesforce writes pending<\/dt><dd>unavailable/)
    expect(html).toMatch(/Quarantined inputs<\/a><\/dt><dd>\d+/)
    expect(html).not.toMatch(/is not a function|TypeError/)
  })

  it('answers an unknown console page with an HTML 404', async () => {
    const cookie = await signInByLink()
    const res = await consoleFetch('/console/nowhere', { headers: { cookie } })
    expect(res.status).toBe(404)
    expect(res.headers.get('content-type')).toMatch(/^text\/html/)
    expect(await res.text()).toContain('Page was not found.')
  })
})
