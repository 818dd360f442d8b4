import { Hono } from 'hono/tiny'
import { SignedPing } from '../../shared/index.ts'
import { ValidationError } from '../errors.ts'
import { SIGNATURE_TOLERANCE_SECONDS } from '../lib/signature.ts'
import { readRawBody, type AppEnv } from './context.ts'
import { requireSignedRequest } from './signed.ts'

/**
 * `GET /v1/salesforce/ping`: verifies a signed call exactly as intake does and answers what it
 * saw (which secret matched, the clock skew), nothing else. `sf concord doctor` has Salesforce
 * call it through the Named Credential, so a good answer proves the URL, the principal's secret
 * and the clock from inside the org. A bad signature is refused (401) like any signed route.
 */
export const salesforcePing = new Hono<AppEnv>().get('/', async (c) => {
  const seen = await requireSignedRequest(c, await readRawBody(c, 1024))
  if (new URL(c.req.url).search) throw new ValidationError('This route takes no query parameters.')
  const ping: SignedPing = {
    ok: true,
    key: seen.secretIndex === 0 ? 'current' : 'previous',
    skewSeconds: seen.skewSeconds,
    toleranceSeconds: SIGNATURE_TOLERANCE_SECONDS,
    receivedAt: new Date().toISOString(),
  }
  return c.json(SignedPing.parse(ping))
})
