import { beforeEach, describe, expect, it } from 'vitest'
import { useFreshDoubles } from '../support/fresh-doubles.ts'
import { business, DoubleConnectors } from '../../doubles/connectors.ts'
import { amendmentChain, drain, ledger, newAccountId, postEvents } from '../support/helpers.ts'
import {
  accessApp,
  accessKey,
  claims,
  consoleFetch,
  csrfIn,
  expectNoInternals,
  form,
  jwksServer,
  OPERATOR_EMAIL,
  signInByLink,
  VIEWER_EMAIL,
  type AccessKey,
} from './support.ts'

let doubles: DoubleConnectors
let account: string

useFreshDoubles((fresh, id) => {
  doubles = fresh
  account = id
})

/** One amendment parked by a declined card. */
async function parked(): Promise<string> {
  const [one] = amendmentChain(1, { Account_Id__c: account })
  doubles.failNext('billing.applyAmendment', business('card_declined', 'The card was declined'))
  await postEvents([one])
  await drain(account)
  return (one as { EventUuid: string }).EventUuid
}

/** One amendment billed, then parked at its ERP step: acting on it moves no money. */
async function parkedAtErp(): Promise<string> {
  const [one] = amendmentChain(1, { Account_Id__c: account })
  doubles.failNext('erp.recordAmendment', business('erp_item_unknown', 'No such item'))
  await postEvents([one])
  await drain(account)
  return (one as { EventUuid: string }).EventUuid
}

const stateOf = async (id: string) => (await ledger(account).amendment(id))?.state

describe('console exceptions (one-time link session)', () => {
  it('lists a parked amendment with its reason, and links to its detail and account', async () => {
    const id = await parked()
    const cookie = await signInByLink()
    const html = await (await consoleFetch('/console/exceptions', { headers: { cookie } })).text()
    expect(html).toContain('card_declined')
    expect(html).toContain(`/console/accounts/${account}/amendments/${id}`)
    expect(html).toContain(`action="/console/exceptions/${id}/retry"`)
    const detail = await consoleFetch(`/console/accounts/${account}/amendments/${id}`, {
      headers: { cookie },
    })
    expect(detail.status).toBe(200)
    expect(await detail.text()).toMatch(/Audit trail[\s\S]*parked/)
    const summary = await (
      await consoleFetch(`/console/accounts/${account}`, { headers: { cookie } })
    ).text()
    expect(summary).toMatch(/Open amendments[\s\S]*card_declined/)
  })

  it('refuses a POST without a CSRF token or with another session’s, changing nothing', async () => {
    const id = await parked()
    const cookie = await signInByLink()
    const missing = await consoleFetch(`/console/exceptions/${id}/retry`, {
      ...form({}),
      headers: { ...form({}).headers, cookie },
    })
    expect(missing.status).toBe(403)
    expectNoInternals(await missing.text())
    const other = await signInByLink()
    const otherCsrf = csrfIn(
      await (await consoleFetch('/console/exceptions', { headers: { cookie: other } })).text(),
    )
    const wrong = form({ _csrf: otherCsrf }, { cookie })
    expect((await consoleFetch(`/console/exceptions/${id}/retry`, wrong)).status).toBe(403)
    const fromElsewhere = form(
      {
        _csrf: csrfIn(
          await (await consoleFetch('/console/exceptions', { headers: { cookie } })).text(),
        ),
      },
      { cookie, origin: 'https://evil.example' },
    )
    expect((await consoleFetch(`/console/exceptions/${id}/retry`, fromElsewhere)).status).toBe(403)
    await drain(account)
    expect(await stateOf(id)).toBe('parked')
    expect(doubles.effectsOf('billing.applyAmendment')).toEqual([])
  })

  it('retries past billing with the session’s CSRF token at once: audited under the console actor', async () => {
    const id = await parkedAtErp()
    const cookie = await signInByLink()
    const csrf = csrfIn(
      await (await consoleFetch('/console/exceptions', { headers: { cookie } })).text(),
    )
    const res = await consoleFetch(
      `/console/exceptions/${id}/retry`,
      form({ _csrf: csrf, reason: 'item created in NetSuite' }, { cookie }),
    )
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/console/exceptions?done=retry')
    await drain(account)
    const detail = await ledger(account).amendment(id)
    expect(detail?.state).toBe('applied')
    expect(detail?.audit.find((a) => a.action === 'operator_retry')).toMatchObject({
      actor: 'local-console',
      detail: { reason: 'item created in NetSuite' },
    })
  })

  it('sends a money retry to its request page with the diff instead of running it', async () => {
    const id = await parked()
    const cookie = await signInByLink()
    const csrf = csrfIn(
      await (await consoleFetch('/console/exceptions', { headers: { cookie } })).text(),
    )
    const res = await consoleFetch(
      `/console/exceptions/${id}/retry`,
      form({ _csrf: csrf, reason: 'card updated' }, { cookie }),
    )
    expect(res.status).toBe(303)
    const location = res.headers.get('location') ?? ''
    expect(location).toMatch(/^\/console\/approvals\/ar_[0-9a-f-]+\?done=requested$/)
    const page = await (await consoleFetch(location, { headers: { cookie } })).text()
    expect(page).toContain('waits for a second person')
    expect(page).toContain(`${id}:billing`)
    expect(page).toContain('You asked for this action')
    expect(page).not.toContain('Approve and run')
    await drain(account)
    expect(await stateOf(id)).toBe('parked')
    expect(doubles.effectsOf('billing.applyAmendment')).toEqual([])
  })

  it('answers an htmx skip with the refreshed table, and a skip without reason with the reason why', async () => {
    const id = await parkedAtErp()
    const cookie = await signInByLink()
    const csrf = csrfIn(
      await (await consoleFetch('/console/exceptions', { headers: { cookie } })).text(),
    )
    const htmx = { cookie, 'hx-request': 'true' }
    const bare = await consoleFetch(`/console/exceptions/${id}/skip`, form({ _csrf: csrf }, htmx))
    const refused = await bare.text()
    expect(refused).toMatch(/^<section id="exceptions"/)
    expect(refused).toContain('say why')
    expect(await stateOf(id)).toBe('parked')
    const res = await consoleFetch(
      `/console/exceptions/${id}/skip`,
      form({ _csrf: csrf, reason: 'entered twice' }, htmx),
    )
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toContain('Skipped')
    expect(html).not.toContain(`/console/exceptions/${id}/skip`)
    expect(await stateOf(id)).toBe('skipped')
  })

  it('shows a safe page for an unknown account and a bad account id', async () => {
    const cookie = await signInByLink()
    const missing = await consoleFetch(`/console/accounts/${newAccountId()}`, {
      headers: { cookie },
    })
    expect(missing.status).toBe(404)
    expectNoInternals(await missing.text())
    const bad = await consoleFetch('/console/accounts/not-an-id', { headers: { cookie } })
    expect(bad.status).toBe(400)
    expectNoInternals(await bad.text())
  })
})

describe('console behind Cloudflare Access', () => {
  let key: AccessKey
  let server: ReturnType<typeof jwksServer>
  let request: ReturnType<typeof accessApp>

  beforeEach(async () => {
    key = await accessKey()
    server = jwksServer([key])
    request = accessApp(server.fetch)
  })

  const as = async (email: string, extra: Record<string, unknown> = {}) => ({
    'cf-access-jwt-assertion': await key.sign(claims(email, extra)),
  })

  it('lets a viewer read but not act: no buttons, and a forged POST is refused', async () => {
    const id = await parked()
    const headers = await as(VIEWER_EMAIL)
    const page = await request('/console/exceptions', { headers })
    expect(page.status).toBe(200)
    const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0] ?? ''
    const html = await page.text()
    expect(html).toContain(`${VIEWER_EMAIL} (viewer)`)
    expect(html).toContain('read-only')
    expect(html).not.toContain(`/console/exceptions/${id}/retry`)
    const res = await request(
      `/console/exceptions/${id}/retry`,
      form({ _csrf: csrfIn(html) }, { ...headers, cookie }),
    )
    expect(res.status).toBe(403)
    expect(await res.text()).toContain('needs the operator role')
    expect(await stateOf(id)).toBe('parked')
  })

  it('lets an operator (by IdP group) retry past billing with a CSRF token', async () => {
    const id = await parkedAtErp()
    const headers = await as(OPERATOR_EMAIL, { groups: ['finance-ops'] })
    const page = await request('/console/exceptions', { headers })
    const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0] ?? ''
    const html = await page.text()
    expect(html).toContain(`${OPERATOR_EMAIL} (operator)`)
    const res = await request(
      `/console/exceptions/${id}/retry`,
      form({ _csrf: csrfIn(html) }, { ...headers, cookie }),
    )
    expect(res.status).toBe(303)
    await drain(account)
    const detail = await ledger(account).amendment(id)
    expect(detail?.state).toBe('applied')
    expect(detail?.audit.find((a) => a.action === 'operator_retry')?.actor).toBe(OPERATOR_EMAIL)
  })

  it('refuses a request without a token, with a refused token (reason kept back), or without a role', async () => {
    const none = await request('/console')
    expect(none.status).toBe(401)
    const wrongAud = await request('/console', {
      headers: { 'cf-access-jwt-assertion': await key.sign(claims(VIEWER_EMAIL, { aud: ['x'] })) },
    })
    expect(wrongAud.status).toBe(401)
    const body = await wrongAud.text()
    expect(body).not.toMatch(/wrong_audience|audience/i)
    expectNoInternals(body)
    const stranger = await request('/console', { headers: await as('eve@example.com') })
    expect(stranger.status).toBe(403)
  })

  it('ignores one-time-link sessions once Access is on', async () => {
    const cookie = await signInByLink()
    const res = await request('/console', { headers: { cookie } })
    expect(res.status).toBe(401)
    const login = await request('/console/login?code=anything')
    expect(await login.text()).toContain('signs in through Cloudflare Access')
  })
})
