import { constantTimeEqual, hmacSha256Hex } from '../lib/hmac.ts'
import { decodeJsonSegment, encodeBase64url } from '../lib/base64url.ts'

/**
 * What a sealed value is for. The purpose is part of the signed text, so a value sealed for one
 * use (a one-time link) can never pass as another (a session); CSRF tokens sign "csrf.<sid>".
 */
export type SealPurpose = 'session' | 'login'

/** `<base64url JSON>.<hex HMAC-SHA256 of "<purpose>.<base64url JSON>">`: readable, not forgeable. */
export async function seal(secret: string, purpose: SealPurpose, payload: object): Promise<string> {
  const body = encodeBase64url(JSON.stringify(payload))
  return `${body}.${await hmacSha256Hex(secret, `${purpose}.${body}`)}`
}

/** The payload of a value sealed with `secret` for `purpose`; undefined if it was altered. */
export async function unseal(
  secret: string,
  purpose: SealPurpose,
  sealed: string,
): Promise<unknown> {
  const dot = sealed.lastIndexOf('.')
  if (dot <= 0 || sealed.length > 4096) return undefined
  const body = sealed.slice(0, dot)
  const expected = await hmacSha256Hex(secret, `${purpose}.${body}`)
  if (!constantTimeEqual(expected, sealed.slice(dot + 1))) return undefined
  return decodeJsonSegment(body)
}
