import { ReplayedRequestError, UnavailableError } from '../errors.ts'
import { verifyRequestSignature, type VerifiedRequest } from '../lib/signature.ts'
import type { RememberResult } from '../ops/replay-memory.ts'
import type { AppContext } from './context.ts'

/**
 * Lets a request signed by Salesforce through once: checks its v2 signature (method, path and
 * query, body, nonce, timestamp), then has the replay memory in the OpsRegistry refuse a request
 * it has already let through within the timestamp window. Call it before the request has any
 * effect.
 * @throws UnauthorizedError when the signature is missing, v1, stale or does not match.
 * @throws ReplayedRequestError when the same signed request was received before.
 * @throws UnavailableError when the replay memory cannot be reached (the caller may retry).
 */
export async function requireSignedRequest(
  c: AppContext,
  rawBody: Uint8Array<ArrayBuffer>,
): Promise<VerifiedRequest> {
  const url = new URL(c.req.url)
  const verified = await verifyRequestSignature({
    timestamp: c.req.header('x-concord-timestamp'),
    nonce: c.req.header('x-concord-nonce'),
    signature: c.req.header('x-concord-signature'),
    method: c.req.method,
    target: url.pathname + url.search,
    rawBody,
    secrets: c.get('config').eventSecrets,
  })
  let seen: RememberResult
  try {
    seen = await c.env.OPS_REGISTRY.getByName('global').rememberRequest(
      verified.replayKey,
      verified.rememberUntil,
    )
  } catch (err) {
    throw new UnavailableError(
      'Concord could not check this request right now; try again shortly.',
      `replay memory unreachable: ${err instanceof Error ? err.message : String(err)}`,
    )
  }
  if (seen.status === 'replayed') throw new ReplayedRequestError()
  return verified
}
