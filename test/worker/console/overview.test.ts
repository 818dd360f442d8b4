import { describe, expect, it } from 'vitest'
import { amendmentEvent, expectSafeError, operatorFetch, postEvents } from '../support/helpers.ts'
import { TEST_VIEWER_TOKEN } from '../support/test-config.ts'
import { consoleFetch, signInByLink } from './support.ts'

type Overview = { backlog: { quarantined: number; exceptions: Record<string, number> } }

const quarantined = async () => {
  const res = await operatorFetch('/v1/overview', { token: TEST_VIEWER_TOKEN })
  expect(res.status).toBe(200)
  return ((await res.json()) as Overview).backlog.quarantined
}

describe('the overview', () => {
  it('counts a rejected event in the quarantine, in the JSON API and on the console alike', async () => {
    const before = await quarantined()
    const res = await postEvents([amendmentEvent({ Quantity__c: -3 })])
    expect(res.status).toBe(200)
    expect(await quarantined()).toBe(before + 1)
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
})
