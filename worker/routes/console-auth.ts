import type { MiddlewareHandler } from 'hono'
import type { ConsoleSettings } from '../config/types.ts'
import { ACCESS_HEADER, type AccessVerifier } from '../console/access.ts'
import { hasRole, roleFor, type ConsoleRole } from '../console/roles.ts'
import {
  csrfMatches,
  csrfTokenOf,
  newSession,
  openSession,
  sealSession,
  SESSION_COOKIE,
  type Session,
} from '../console/session.ts'
import { ConfigError, ForbiddenError, UnauthorizedError } from '../errors.ts'
import { readCookie, serializeCookie } from '../lib/cookie.ts'
import type { AppContext, AppEnv } from './context.ts'

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

/**
 * The console's settings.
 * @throws ConfigError when the console is not configured (no session secret) or half-configured.
 */
export function consoleSettings(c: AppContext): ConsoleSettings {
  const section = c.get('config').console
  if (section.status === 'ok') return section.settings
  throw new ConfigError(
    section.status === 'absent'
      ? 'console: CONSOLE_SESSION_SECRET is not set'
      : `console: ${section.problems.join('; ')}`,
  )
}

/** Sets the session cookie: HttpOnly, SameSite=Strict, Secure unless served from loopback. */
export async function startSession(c: AppContext, settings: ConsoleSettings, session: Session) {
  // Whole seconds left, rounded up: the clock moves during sealing, and the server checks `exp`.
  const maxAge = Math.ceil((session.exp - Date.now()) / 1000)
  const sealed = await sealSession(settings.sessionSecret, session)
  const cookie = serializeCookie(SESSION_COOKIE, sealed, {
    path: '/console',
    httpOnly: true,
    secure: !LOCAL_HOSTS.has(new URL(c.req.url).hostname),
    sameSite: 'Strict',
    maxAge,
  })
  c.header('Set-Cookie', cookie, { append: true })
}

export function endSession(c: AppContext) {
  const cookie = serializeCookie(SESSION_COOKIE, '', { path: '/console', maxAge: 0 })
  c.header('Set-Cookie', cookie, { append: true })
}

/**
 * Behind Access, every request must carry a valid Access token; its email's role is read from
 * the role map on every request (so a change of role applies at once). The session cookie only
 * carries the session id CSRF tokens are bound to, renewed when the person changes.
 * @throws UnauthorizedError for a missing or refused token (the reason is logged, not shown);
 * ForbiddenError when the role map grants this person nothing.
 */
async function sessionFromAccess(
  c: AppContext,
  verifier: AccessVerifier,
  settings: ConsoleSettings & { access: NonNullable<ConsoleSettings['access']> },
  current: Session | undefined,
): Promise<Session> {
  const token = c.req.header(ACCESS_HEADER)
  if (!token) throw new UnauthorizedError('Sign in through Cloudflare Access.', 'no Access token')
  const result = await verifier.verify(token, settings.access)
  if (!result.ok)
    throw new UnauthorizedError(
      'Your Cloudflare Access sign-in was not accepted; sign in again.',
      `Access token refused: ${result.reason}`,
    )
  const role = roleFor(result.identity, settings.roles)
  if (!role) throw new ForbiddenError('You have no role in this console; ask a Concord admin.')
  const sub = result.identity.email
  if (current?.via === 'access' && current.sub === sub) return { ...current, role }
  const fresh = newSession({ sub, role, via: 'access' }, settings.sessionTtlMs, Date.now())
  await startSession(c, settings, fresh)
  return fresh
}

/**
 * Lets a request into the console once it is signed in: by Cloudflare Access when configured,
 * else by a session a one-time link started. Sets the actor (the audit trail's name), the
 * session and the viewer. A page asked for without a session is sent to the sign-in page.
 * Every POST must carry the session's CSRF token.
 * @throws UnauthorizedError, ForbiddenError (see above and `requireCsrf`).
 */
export function consoleSignIn(verifier: AccessVerifier): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const settings = consoleSettings(c)
    let session = await openSession(
      settings.sessionSecret,
      readCookie(c.req.header('Cookie'), SESSION_COOKIE),
      Date.now(),
    )
    if (settings.access) {
      session = await sessionFromAccess(
        c,
        verifier,
        { ...settings, access: settings.access },
        session,
      )
    } else if (session?.via !== 'link') {
      if (c.req.method === 'GET' && !c.req.header('hx-request'))
        return c.redirect('/console/login', 303)
      throw new UnauthorizedError('Sign in to the console first.')
    }
    c.set('session', session)
    c.set('actor', session.sub)
    c.set('role', session.role)
    c.set('viewer', {
      name: session.sub,
      role: session.role,
      csrf: await csrfTokenOf(settings.sessionSecret, session),
    })
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') await requireCsrf(c, settings, session)
    await next()
  }
}

/**
 * Refuses a state-changing request whose CSRF token (form field `_csrf` or `X-CSRF-Token`) is
 * not this session's, or whose `Origin` is another site's.
 * @throws ForbiddenError.
 */
async function requireCsrf(c: AppContext, settings: ConsoleSettings, session: Session) {
  const origin = c.req.header('origin')
  if (origin && origin !== new URL(c.req.url).origin)
    throw new ForbiddenError('This form was not sent from the console.')
  let submitted = c.req.header('x-csrf-token')
  if (!submitted) {
    const form = await c.req.parseBody()
    submitted = typeof form._csrf === 'string' ? form._csrf : undefined
  }
  if (!(await csrfMatches(settings.sessionSecret, session, submitted)))
    throw new ForbiddenError('This form has expired; reload the page and try again.')
}

/**
 * Requires at least `role` of the signed-in person.
 * @throws ForbiddenError naming the role needed.
 */
export function requireConsoleRole(role: ConsoleRole): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const session = c.get('session')
    if (!session || !hasRole(session.role, role))
      throw new ForbiddenError(`This needs the ${role} role.`)
    await next()
  }
}
