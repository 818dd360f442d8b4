import { afterEach, describe, expect, it, vi } from 'vitest'
import { encodeBase64url, decodeJsonSegment } from '../../../worker/lib/base64url.ts'
import { newSession, sealSession } from '../../../worker/console/session.ts'
import { TEST_CONSOLE_SESSION_SECRET } from '../support/test-config.ts'
import {
  consoleFetch,
  cookieOf,
  expectNoInternals,
  mintCode,
  redeem,
  signInByLink,
} from './support.ts'

afterEach(() => {
  vi.useRealTimers()
})

describe('console sign-in by one-time link', () => {
  it('sends a page asked for without a session to the sign-in page', async () => {
    const res = await consoleFetch('/console')
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/console/login')
    const root = await consoleFetch('/')
    expect(root.headers.get('location')).toBe('/console')
  })

  it('shows the link as a page with a button, and redeeming it starts a session', async () => {
    const code = await mintCode()
    const landing = await consoleFetch(`/console/login?code=${encodeURIComponent(code)}`)
    expect(landing.status).toBe(200)
    expect(landing.headers.get('set-cookie')).toBeNull()
    expect(await landing.text()).toContain(`name="code" value="${code}"`)
    const res = await redeem(code)
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/console')
    const cookie = res.headers.get('set-cookie') ?? ''
    expect(cookie).toMatch(/^concord_console=[^;]+/)
    expect(cookie).toMatch(/HttpOnly/)
    expect(cookie).toMatch(/SameSite=Strict/)
    expect(cookie).toMatch(/Secure/)
    expect(cookie).toMatch(/Path=\/console/)
    expect(cookie).toMatch(/Max-Age=28800/)
    const page = await consoleFetch('/console', { headers: { cookie: cookieOf(res) } })
    expect(page.status).toBe(200)
    const html = await page.text()
    expect(html).toMatch(/^<!doctype html><html lang="en">/)
    expect(html).toContain('local-console (admin)')
    expect(html).toContain('Parked amendments')
  })

  it('leaves Secure off only on loopback, where browsers would drop the cookie over http', async () => {
    const res = await redeem(await mintCode(), 'localhost:8787')
    expect(res.status).toBe(303)
    expect(res.headers.get('set-cookie')).not.toMatch(/Secure/)
  })

  it('works once: the same link is refused the second time', async () => {
    const code = await mintCode()
    expect((await redeem(code)).status).toBe(303)
    const again = await redeem(code)
    expect(again.status).toBe(401)
    expect(again.headers.get('set-cookie')).toBeNull()
    const html = await again.text()
    expect(html).toContain('no longer valid')
    expectNoInternals(html)
  })

  it('expires: a link older than its lifetime is refused', async () => {
    const code = await mintCode({ ttlSeconds: 60 })
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.now() + 61_000)
    const res = await redeem(code)
    expect(res.status).toBe(401)
    expect(res.headers.get('set-cookie')).toBeNull()
  })

  it('refuses an altered link and one sealed with another secret', async () => {
    const code = await mintCode({ ttlSeconds: 60 })
    const [body, sig] = code.split('.') as [string, string]
    const payload = decodeJsonSegment(body) as { nonce: string; exp: number }
    const longer = encodeBase64url(JSON.stringify({ ...payload, exp: payload.exp + 86_400 }))
    expect((await redeem(`${longer}.${sig}`)).status).toBe(401)
    const { mintLoginCode } = await import('../../../worker/console/login-link.ts')
    const foreign = await mintLoginCode('another-secret-of-at-least-32-characters!!')
    expect((await redeem(foreign)).status).toBe(401)
    // The genuine one still works: the refusals did not burn it.
    expect((await redeem(code)).status).toBe(303)
  })
})

describe('console sessions', () => {
  it('refuses a session cookie whose payload was changed', async () => {
    const cookie = await signInByLink()
    const value = cookie.slice('concord_console='.length)
    const [body, sig] = value.split('.') as [string, string]
    const session = decodeJsonSegment(body) as Record<string, unknown>
    const tampered = encodeBase64url(JSON.stringify({ ...session, sub: 'someone-else' }))
    const res = await consoleFetch('/console', {
      headers: { cookie: `concord_console=${tampered}.${sig}` },
    })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/console/login')
  })

  it('refuses a session signed with another key, and an expired one', async () => {
    const forged = newSession({ sub: 'mallory', role: 'admin', via: 'link' }, 60_000, Date.now())
    const foreign = await sealSession('not-the-console-secret-but-32-chars-long', forged)
    const res = await consoleFetch('/console', {
      headers: { cookie: `concord_console=${foreign}` },
    })
    expect(res.status).toBe(303)
    const old = newSession({ sub: 'ada', role: 'admin', via: 'link' }, 60_000, Date.now() - 61_000)
    const expired = await sealSession(TEST_CONSOLE_SESSION_SECRET, old)
    const late = await consoleFetch('/console', {
      headers: { cookie: `concord_console=${expired}` },
    })
    expect(late.status).toBe(303)
    const fresh = await sealSession(TEST_CONSOLE_SESSION_SECRET, {
      ...old,
      exp: Date.now() + 60_000,
    })
    const ok = await consoleFetch('/console', { headers: { cookie: `concord_console=${fresh}` } })
    expect(ok.status).toBe(200)
  })

  it('answers an htmx request without a session with 401, not a redirect', async () => {
    const res = await consoleFetch('/console/partials/backlog', {
      headers: { 'hx-request': 'true' },
    })
    expect(res.status).toBe(401)
    expectNoInternals(await res.text())
  })

  it('signs out: the cookie is cleared', async () => {
    const cookie = await signInByLink()
    const page = await (await consoleFetch('/console', { headers: { cookie } })).text()
    const csrf = /name="_csrf" value="([0-9a-f]{64})"/.exec(page)?.[1] ?? ''
    const res = await consoleFetch('/console/logout', {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf }).toString(),
    })
    expect(res.status).toBe(303)
    expect(res.headers.get('set-cookie')).toMatch(/^concord_console=;.*Max-Age=0/)
  })
})
