import * as z from 'zod/mini'
import { ConsoleRole } from '../config/schema.ts'
import { constantTimeEqual, hmacSha256Hex, toHex } from '../lib/hmac.ts'
import { seal, unseal } from './seal.ts'

/** The console's session cookie (HttpOnly, SameSite=Strict; Secure except on localhost). */
export const SESSION_COOKIE = 'concord_console'

/** A signed-in person: who, with which role, how they signed in, until when (ms since epoch). */
export const Session = z.object({
  sid: z.string().check(z.minLength(16)),
  sub: z.string().check(z.minLength(1)),
  role: ConsoleRole,
  via: z.enum(['access', 'link']),
  exp: z.int(),
})
export type Session = z.infer<typeof Session>

/** A fresh session with a random id (the id is what CSRF tokens are bound to). */
export function newSession(who: Omit<Session, 'sid' | 'exp'>, ttlMs: number, now: number): Session {
  const sid = toHex(crypto.getRandomValues(new Uint8Array(16)))
  return { ...who, sid, exp: now + ttlMs }
}

export function sealSession(secret: string, session: Session): Promise<string> {
  return seal(secret, 'session', session)
}

/** The session in a cookie value, if it was signed with `secret` and has not expired. */
export async function openSession(
  secret: string,
  cookie: string | undefined,
  now: number,
): Promise<Session | undefined> {
  if (!cookie) return undefined
  const parsed = Session.safeParse(await unseal(secret, 'session', cookie))
  if (!parsed.success || parsed.data.exp <= now) return undefined
  return parsed.data
}

/**
 * The CSRF token of a session: an HMAC of its id, so it needs no storage, differs per session
 * and cannot be made without the secret. Forms carry it as `_csrf`, htmx as `X-CSRF-Token`.
 */
export function csrfTokenOf(secret: string, session: Session): Promise<string> {
  return hmacSha256Hex(secret, `csrf.${session.sid}`)
}

export async function csrfMatches(
  secret: string,
  session: Session,
  submitted: string | undefined,
): Promise<boolean> {
  if (!submitted) return false
  return constantTimeEqual(await csrfTokenOf(secret, session), submitted)
}
