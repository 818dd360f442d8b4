import { generateCookie } from 'hono/cookie'
import { describe, expect, it } from 'vitest'
import { readCookie, serializeCookie, type CookieOptions } from '../../../worker/lib/cookie.ts'

describe('the session cookie', () => {
  const session: CookieOptions = {
    path: '/console',
    httpOnly: true,
    secure: true,
    sameSite: 'Strict',
    maxAge: 43_200,
  }

  it('is written as hono/cookie writes it, and deleted with Max-Age=0', () => {
    for (const [value, options] of [
      ['v1.abc-_DEF', session],
      ['a b;c', { ...session, secure: false }],
      ['', { path: '/console', maxAge: 0 }],
    ] as const)
      expect(serializeCookie('concord_console', value, options)).toBe(
        generateCookie('concord_console', value, options),
      )
    expect(serializeCookie('s', '', { path: '/console', maxAge: 0 })).toBe(
      's=; Max-Age=0; Path=/console',
    )
  })

  it('refuses a Max-Age over 400 days', () => {
    expect(() => serializeCookie('s', 'v', { ...session, maxAge: 400 * 86_400 + 1 })).toThrow(
      /400 days/,
    )
  })

  it('reads the first well-formed value of its name, decoded', () => {
    expect(readCookie('a=1; concord_console=x%20y; b=2', 'concord_console')).toBe('x y')
    expect(readCookie('concord_console="quoted"', 'concord_console')).toBe('quoted')
    expect(readCookie('xconcord_console=1', 'concord_console')).toBeUndefined()
    expect(readCookie('concord_console=bad\\value; concord_console=ok', 'concord_console')).toBe(
      'ok',
    )
    expect(readCookie(null, 'concord_console')).toBeUndefined()
  })
})
