/**
 * The console's session cookie, read and written (RFC 6265): the little of `hono/cookie` it uses,
 * without Hono's signed and prefixed cookies. Values are URI-encoded as Hono writes them.
 */

/** How the cookie is set; `maxAge` in whole seconds (0 deletes it). */
export interface CookieOptions {
  path: string
  maxAge: number
  httpOnly?: boolean
  secure?: boolean
  sameSite?: 'Strict' | 'Lax' | 'None'
}

/** RFC 6265 §6.1: browsers may cap Max-Age at 400 days, so a longer one is a mistake. */
const MAX_AGE_LIMIT = 400 * 24 * 3600
/** RFC 6265 §4.1.1 cookie-octet: printable ASCII but for space, `"`, `,`, `;` and `\`. */
const COOKIE_VALUE = /^[ !#-:<-[\]-~]*$/

/**
 * The `Set-Cookie` header value for `name=value` with `options`.
 * @throws Error for a Max-Age over 400 days.
 */
export function serializeCookie(name: string, value: string, options: CookieOptions): string {
  if (options.maxAge > MAX_AGE_LIMIT) throw new Error('Cookie Max-Age over 400 days')
  let cookie = `${name}=${encodeURIComponent(value)}; Max-Age=${Math.max(0, Math.trunc(options.maxAge))}; Path=${options.path}`
  if (options.httpOnly) cookie += '; HttpOnly'
  if (options.secure) cookie += '; Secure'
  if (options.sameSite) cookie += `; SameSite=${options.sameSite}`
  return cookie
}

/** The first well-formed value of cookie `name` in a `Cookie` header, URI-decoded. */
export function readCookie(header: string | null | undefined, name: string): string | undefined {
  for (const pair of (header ?? '').split(';')) {
    const eq = pair.indexOf('=')
    if (eq === -1 || pair.slice(0, eq).trim() !== name) continue
    let value = pair.slice(eq + 1).trim()
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"'))
      value = value.slice(1, -1)
    if (!COOKIE_VALUE.test(value)) continue
    try {
      return decodeURIComponent(value)
    } catch {
      return value
    }
  }
  return undefined
}
