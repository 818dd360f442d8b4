import { beforeEach, describe, expect, it } from 'vitest'
import { useFreshDoubles } from '../support/fresh-doubles.ts'
import { business, DoubleConnectors } from '../../doubles/connectors.ts'
import { amendmentChain, drain, ledger, postEvents } from '../support/helpers.ts'
import {
  accessApp,
  accessKey,
  APPROVER_2_EMAIL,
  APPROVER_EMAIL,
  claims,
  csrfIn,
  expectNoInternals,
  form,
  jwksServer,
  OPERATOR_EMAIL,
  VIEWER_EMAIL,
  type AccessKey,
} from './support.ts'

let doubles: DoubleConnectors
let account: string
let key: AccessKey
let request: ReturnType<typeof accessApp>

useFreshDoubles((fresh, id) => {
  doubles = fresh
  account = id
})
beforeEach(async () => {
  key = await accessKey()
  request = accessApp(jwksServer([key]).fetch)
})

/** A seat change parked at its billing step by a declined card (a retry of it moves money). */
async function parked(): Promise<string> {
  const [one, two] = amendmentChain(2, { Account_Id__c: account })
  await postEvents([one])
  await drain(account)
  doubles.failNext('billing.applyAmendment', business('card_declined', 'The card was declined'))
  await postEvents([two])
  await drain(account)
  return String(two?.EventUuid)
}

/** A person signed in through Access: their headers (token and session cookie) and a page's CSRF. */
async function signedIn(email: string, groups: string[] = []) {
  const token = { 'cf-access-jwt-assertion': await key.sign(claims(email, { groups })) }
  const page = await request('/console/approvals', { headers: token })
  expect(page.status).toBe(200)
  const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0] ?? ''
  const headers = { ...token, cookie }
  return { headers, csrf: csrfIn(await page.text()) }
}

/** The operator asks for the retry from the exceptions page; the request's page is returned. */
async function requestRetry(id: string): Promise<string> {
  const operator = await signedIn(OPERATOR_EMAIL, ['finance-ops'])
  const res = await request(
    `/console/exceptions/${id}/retry`,
    form({ _csrf: operator.csrf, reason: 'card updated' }, operator.headers),
  )
  expect(res.status).toBe(303)
  const location = res.headers.get('location') ?? ''
  expect(location).toMatch(/^\/console\/approvals\/ar_/)
  return location.replace(/\?.*$/, '')
}

const billed = () => doubles.effectsOf('billing.applyAmendment').map((e) => e.sequence)

describe('console approvals', () => {
  it('lists the pending request and shows its diff; an approver approves with a CSRF token and it runs', async () => {
    const id = await parked()
    const page = await requestRetry(id)
    const approver = await signedIn(APPROVER_EMAIL)
    const list = await (await request('/console/approvals', { headers: approver.headers })).text()
    expect(list).toMatch(/Waiting for approval \(\d+\)/)
    expect(list).toContain(`href="${page}"`)
    const detail = await (await request(page, { headers: approver.headers })).text()
    expect(detail).toContain(`${id}:billing`)
    expect(detail).toContain('10.00 USD')
    expect(detail).toContain(`action="${page}/approve"`)
    const res = await request(`${page}/approve`, form({ _csrf: csrfIn(detail) }, approver.headers))
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(`${page}?done=executed`)
    await drain(account)
    expect(billed()).toEqual([1, 2])
    const audit = (await ledger(account).amendment(id))?.audit
    expect(audit?.find((a) => a.action === 'operator_retry')?.actor).toBe(APPROVER_EMAIL)
    const after = await (
      await request(`${page}?done=executed`, { headers: approver.headers })
    ).text()
    expect(after).toContain('Approved and run.')
    expect(after).toMatch(/requested<\/td><td>oscar\.operator@example\.com/)
  })

  it('refuses an approval without the session’s CSRF token or from an operator, changing nothing', async () => {
    const id = await parked()
    const page = await requestRetry(id)
    const approver = await signedIn(APPROVER_EMAIL)
    const forged = await request(`${page}/approve`, form({}, approver.headers))
    expect(forged.status).toBe(403)
    expectNoInternals(await forged.text())
    const operator = await signedIn(OPERATOR_EMAIL, ['finance-ops'])
    const byOperator = await request(
      `${page}/approve`,
      form({ _csrf: operator.csrf }, operator.headers),
    )
    expect(byOperator.status).toBe(403)
    expect(await byOperator.text()).toContain('needs the approver role')
    await drain(account)
    expect(billed()).toEqual([1])
  })

  it('never lets an approver approve what they asked for; a second approver can', async () => {
    const id = await parked()
    const alma = await signedIn(APPROVER_EMAIL)
    const asked = await request(
      `/console/exceptions/${id}/retry`,
      form({ _csrf: alma.csrf }, alma.headers),
    )
    const page = (asked.headers.get('location') ?? '').replace(/\?.*$/, '')
    const own = await (await request(page, { headers: alma.headers })).text()
    expect(own).toContain('You asked for this action')
    const self = await request(`${page}/approve`, form({ _csrf: alma.csrf }, alma.headers))
    expect(self.status).toBe(403)
    expect(await self.text()).toContain('another approver must approve it')
    await drain(account)
    expect(billed()).toEqual([1])
    const abe = await signedIn(APPROVER_2_EMAIL)
    const res = await request(`${page}/approve`, form({ _csrf: abe.csrf }, abe.headers))
    expect(res.headers.get('location')).toBe(`${page}?done=executed`)
  })

  it('rejects with a reason from the form; a reason is required', async () => {
    const id = await parked()
    const page = await requestRetry(id)
    const approver = await signedIn(APPROVER_EMAIL)
    const bare = await request(`${page}/reject`, form({ _csrf: approver.csrf }, approver.headers))
    expect(bare.status).toBe(400)
    expect(await bare.text()).toContain('Invalid form')
    const res = await request(
      `${page}/reject`,
      form({ _csrf: approver.csrf, reason: 'seats disputed' }, approver.headers),
    )
    expect(res.headers.get('location')).toBe(`${page}?done=rejected`)
    const shown = await (await request(page, { headers: approver.headers })).text()
    expect(shown).toContain('seats disputed')
    expect(shown).not.toContain('Approve and run')
  })

  it('lets a viewer read approvals and download the audit, but not decide', async () => {
    const id = await parked()
    const page = await requestRetry(id)
    const viewer = await signedIn(VIEWER_EMAIL)
    const shown = await (await request(page, { headers: viewer.headers })).text()
    expect(shown).toContain('An approver decides this request.')
    const csv = await request('/console/audit.csv', { headers: viewer.headers })
    expect(csv.status).toBe(200)
    expect(csv.headers.get('content-disposition')).toContain('concord-audit.csv')
    const text = await csv.text()
    expect(text).toContain(`,retry,${id},requested,${OPERATOR_EMAIL},`)
    const denied = await request(`${page}/approve`, form({ _csrf: viewer.csrf }, viewer.headers))
    expect(denied.status).toBe(403)
  })
})
