import { UnauthorizedError } from '../errors.ts'
import { constantTimeEqual, hmacSha256Hex, sha256Hex, toHex } from './hmac.ts'

/** How far `X-Concord-Timestamp` may be from now, either way. */
export const SIGNATURE_TOLERANCE_SECONDS = 300

/**
 * How long past its timestamp's window a verified request stays remembered: the worker that
 * checks the window and the object that remembers may disagree on the time by this much.
 */
export const REPLAY_SKEW_SECONDS = 60

/** `X-Concord-Nonce`: random per request, so two identical calls in one second both go through. */
const NONCE = /^[A-Za-z0-9_-]{16,64}$/

const SIGNATURE_RULES = 'see "Request signature" in the README'

/** What a v2 signature covers. Every field is as sent: the timestamp is not re-formatted. */
export interface SignedParts {
  timestamp: string
  nonce: string
  method: string
  /** The path, with `?query` when there is one, as in the request line (`/v1/catalog`). */
  target: string
  body: string | Uint8Array<ArrayBuffer>
}

/** A request whose signature matched; what the replay memory keeps of it. */
export interface VerifiedRequest {
  /** Hex SHA-256 of the canonical string: this request, whichever secret signed it. */
  replayKey: string
  /** Unix seconds after which the timestamp window refuses the request anyway. */
  rememberUntil: number
  /** Which configured secret matched: 0 the current one, 1 the previous one (a rotation). */
  secretIndex: number
  /** Our clock minus the request's timestamp, in seconds (positive: the sender is behind). */
  skewSeconds: number
}

/**
 * The v2 canonical string: five lines joined by `\n` (no trailing newline) — the timestamp, the
 * nonce, the upper-case method, the path and query, and the lower-case hex SHA-256 of the raw
 * body (of zero bytes when there is none). The signature is its hex HMAC-SHA256.
 */
export async function canonicalString(parts: SignedParts): Promise<string> {
  return [
    parts.timestamp,
    parts.nonce,
    parts.method.toUpperCase(),
    parts.target,
    await sha256Hex(parts.body),
  ].join('\n')
}

/**
 * Checks `X-Concord-Signature: v2=<hex HMAC-SHA256 of the canonical string>` against each
 * configured secret (the current one and, during a rotation, the previous one), the nonce, and
 * that the timestamp is within five minutes of now. It does not know whether the request was
 * seen before: the caller hands the result to the replay memory.
 * @throws UnauthorizedError saying which check failed, never what the right value would be.
 */
export async function verifyRequestSignature(opts: {
  timestamp: string | undefined
  nonce: string | undefined
  signature: string | undefined
  method: string
  target: string
  rawBody: Uint8Array<ArrayBuffer>
  secrets: string[]
  nowSeconds?: number
}): Promise<VerifiedRequest> {
  if (opts.secrets.length === 0)
    throw new UnauthorizedError(
      'Request signing is not configured on this worker.',
      'no SALESFORCE_EVENTS_SECRET set',
    )
  if (!opts.timestamp || !opts.signature) {
    throw new UnauthorizedError('Missing X-Concord-Timestamp or X-Concord-Signature header.')
  }
  const offered = offeredSignatures(opts.signature)
  const nonce = checkedNonce(opts.nonce)
  const timestamp = checkedTimestamp(opts.timestamp, opts.nowSeconds)
  const canonical = await canonicalString({
    timestamp,
    nonce,
    method: opts.method,
    target: opts.target,
    body: opts.rawBody,
  })
  for (const [secretIndex, secret] of opts.secrets.entries()) {
    const expected = await hmacSha256Hex(secret, canonical)
    // Every offered value is compared, whatever matched before, to keep the timing flat.
    let ok = false
    for (const candidate of offered) ok = constantTimeEqual(candidate, expected) || ok
    if (ok)
      return {
        replayKey: await sha256Hex(canonical),
        rememberUntil: Number(timestamp) + SIGNATURE_TOLERANCE_SECONDS + REPLAY_SKEW_SECONDS,
        secretIndex,
        skewSeconds: (opts.nowSeconds ?? Math.floor(Date.now() / 1000)) - Number(timestamp),
      }
  }
  throw new UnauthorizedError(
    'X-Concord-Signature does not match this request (its method, path, body, nonce or timestamp).',
  )
}

/**
 * The `v2=` values of the header (several during a key rotation), lower-cased.
 * @throws UnauthorizedError when there is none, saying so plainly when only v1 was sent.
 */
function offeredSignatures(header: string): string[] {
  const parts = header.split(',').map((part) => part.trim())
  const offered = parts
    .filter((part) => part.startsWith('v2='))
    .map((part) => part.slice(3).toLowerCase())
  if (offered.length > 0) return offered
  if (parts.some((part) => part.startsWith('v1=')))
    throw new UnauthorizedError(
      `X-Concord-Signature v1 is no longer accepted: v2 is required (method, path and body are signed; ${SIGNATURE_RULES}).`,
    )
  throw new UnauthorizedError(`X-Concord-Signature must be "v2=<hex>" (${SIGNATURE_RULES}).`)
}

/** @throws UnauthorizedError when the nonce is missing or not 16–64 URL-safe characters. */
function checkedNonce(nonce: string | undefined): string {
  if (!nonce) throw new UnauthorizedError('Missing X-Concord-Nonce header; v2 signatures need one.')
  if (!NONCE.test(nonce))
    throw new UnauthorizedError('X-Concord-Nonce must be 16 to 64 letters, digits, "-" or "_".')
  return nonce
}

/** @throws UnauthorizedError when the timestamp is not unix seconds or is outside the window. */
function checkedTimestamp(timestamp: string, nowSeconds?: number): string {
  if (!/^\d{1,12}$/.test(timestamp))
    throw new UnauthorizedError('X-Concord-Timestamp must be unix seconds.')
  const now = nowSeconds ?? Math.floor(Date.now() / 1000)
  if (Math.abs(now - Number(timestamp)) > SIGNATURE_TOLERANCE_SECONDS) {
    throw new UnauthorizedError(
      'X-Concord-Timestamp is more than 5 minutes from now; check the sender clock.',
    )
  }
  return timestamp
}

/**
 * Signs a request the way Salesforce does (v2); used by the demo, the emulators and the tests.
 * A fresh nonce is drawn unless one is given.
 */
export async function signRequest(
  secret: string,
  request: { method: string; target: string; body: string },
  opts: { timestamp?: number | string; nonce?: string } = {},
): Promise<Record<string, string>> {
  const timestamp = String(opts.timestamp ?? Math.floor(Date.now() / 1000))
  const nonce = opts.nonce ?? toHex(crypto.getRandomValues(new Uint8Array(16)))
  const signature = await hmacSha256Hex(
    secret,
    await canonicalString({ ...request, timestamp, nonce }),
  )
  return {
    'X-Concord-Timestamp': timestamp,
    'X-Concord-Nonce': nonce,
    'X-Concord-Signature': `v2=${signature}`,
  }
}
