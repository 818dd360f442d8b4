import { UnauthorizedError } from '../errors.ts'
import { constantTimeEqual, hmacSha256Hex } from './hmac.ts'

export const SIGNATURE_TOLERANCE_SECONDS = 300

/**
 * Checks `X-Concord-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>">` against each
 * configured secret (the current one and, during a rotation, the previous one), and that the
 * timestamp is within five minutes of now, so a captured request can't be replayed later.
 * @throws UnauthorizedError saying which check failed, never what the right value would be.
 */
export async function verifyRequestSignature(opts: {
  timestamp: string | undefined
  signature: string | undefined
  rawBody: Uint8Array<ArrayBuffer>
  secrets: string[]
  nowSeconds?: number
}): Promise<void> {
  if (opts.secrets.length === 0)
    throw new UnauthorizedError(
      'Request signing is not configured on this worker.',
      'no SALESFORCE_EVENTS_SECRET set',
    )
  if (!opts.timestamp || !opts.signature) {
    throw new UnauthorizedError('Missing X-Concord-Timestamp or X-Concord-Signature header.')
  }
  if (!/^\d{1,12}$/.test(opts.timestamp))
    throw new UnauthorizedError('X-Concord-Timestamp must be unix seconds.')
  const now = opts.nowSeconds ?? Math.floor(Date.now() / 1000)
  if (Math.abs(now - Number(opts.timestamp)) > SIGNATURE_TOLERANCE_SECONDS) {
    throw new UnauthorizedError(
      'X-Concord-Timestamp is more than 5 minutes from now; check the sender clock.',
    )
  }
  const offered = opts.signature
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.startsWith('v1='))
    .map((part) => part.slice(3).toLowerCase())
  if (offered.length === 0) throw new UnauthorizedError('X-Concord-Signature must be "v1=<hex>".')
  const prefix = new TextEncoder().encode(`${opts.timestamp}.`)
  const signed = new Uint8Array(prefix.byteLength + opts.rawBody.byteLength)
  signed.set(prefix, 0)
  signed.set(opts.rawBody, prefix.byteLength)
  for (const secret of opts.secrets) {
    const expected = await hmacSha256Hex(secret, signed)
    // Every offered value is compared, whatever matched before, to keep the timing flat.
    let ok = false
    for (const candidate of offered) ok = constantTimeEqual(candidate, expected) || ok
    if (ok) return
  }
  throw new UnauthorizedError('X-Concord-Signature does not match the request body.')
}

/** Signs a body the way Salesforce does; used by the CLI, the emulators and the tests. */
export async function signRequest(
  secret: string,
  rawBody: string,
  timestamp = Math.floor(Date.now() / 1000),
): Promise<Record<string, string>> {
  const signature = await hmacSha256Hex(secret, `${timestamp}.${rawBody}`)
  return { 'X-Concord-Timestamp': String(timestamp), 'X-Concord-Signature': `v1=${signature}` }
}
