import { createHash, createHmac, randomBytes } from 'node:crypto'
import type { EmuRequest, EmuResponse } from '../common/router.ts'
import type { CredentialStore } from './credentials.ts'
import { INVALID_SESSION, restError } from './errors.ts'
import type { MetadataDeploys } from './metadata/deploy.ts'
import type { Org } from './org.ts'

/** The Named Credential URL the package ships with, until a deploy or the admin replaces it. */
export const PLACEHOLDER_URL = 'https://concord-worker.example.invalid'
const TIMEOUT_MS = 20_000
const UNAVAILABLE = 'Concord is not reachable right now. Try again in a minute.'
const UNKNOWN_SHAPE =
  'Concord answered in a shape this package does not read: deploy the package and the worker from the same release.'

/** What `ConcordPing.PingResult` serialises to: Apex REST writes every field, null ones too. */
interface PingResult {
  state: 'ok' | 'refused' | 'unreachable' | 'failed'
  httpStatus: number
  errorCode: string | null
  message: string | null
  requestId: string | null
  key: string | null
  skewSeconds: number | null
  endpoint: string | null
}

const blank = (endpoint: string): PingResult => ({
  state: 'failed',
  httpStatus: 0,
  errorCode: null,
  message: null,
  requestId: null,
  key: null,
  skewSeconds: null,
  endpoint,
})

/** The `Url` parameter of the deployed `Concord_Worker` named credential, or what the org started with. */
export function namedCredentialUrl(deploys: MetadataDeploys, preinstalled: string): string {
  const files = deploys.deployed('NamedCredential', 'Concord_Worker')
  const xml = [...(files?.values() ?? [])].map((b) => b.toString('utf8')).join('')
  const m =
    /<parameterName>Url<\/parameterName>\s*<parameterType>Url<\/parameterType>\s*<parameterValue>([^<]*)</.exec(
      xml,
    )
  return m?.[1]?.trim() || preinstalled
}

/**
 * The headers Salesforce puts on `WorkerClient`'s callout once the named-credential formula is
 * evaluated (sfdx/README.md "Request signature", v2): the hex HMAC-SHA256, keyed with the
 * principal's `SigningSecret`, of timestamp, nonce, method, path and the body's hex SHA-256
 * joined by line feeds. Written from the contract, not from the worker's code.
 */
function signedHeaders(secret: string, method: string, path: string, nowMs: number) {
  const timestamp = String(Math.floor(nowMs / 1000))
  const nonce = randomBytes(16).toString('hex')
  const bodyHash = createHash('sha256').update('').digest('hex')
  const canonical = [timestamp, nonce, method, path, bodyHash].join('\n')
  const signature = createHmac('sha256', secret).update(canonical).digest('hex')
  return {
    accept: 'application/json',
    'x-concord-timestamp': timestamp,
    'x-concord-nonce': nonce,
    'x-concord-signature': `v2=${signature}`,
  }
}

/** `WorkerClient.errorFrom`: the worker's code and (for a 4xx) message, else a generic one. */
async function refusal(res: Response, result: PingResult): Promise<PingResult> {
  const retryable = res.status >= 500 || res.status === 429
  let error: { code?: unknown; message?: unknown; requestId?: unknown } = {}
  try {
    const parsed = (await res.json()) as { error?: typeof error }
    if (parsed.error && typeof parsed.error === 'object') error = parsed.error
  } catch {
    // Not the worker's error shape: the generic message, as in Apex.
  }
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null)
  return {
    ...result,
    state: res.status === 401 ? 'refused' : retryable ? 'unreachable' : 'failed',
    httpStatus: res.status,
    errorCode: str(error.code) ?? 'WORKER_ERROR',
    message:
      retryable || !str(error.message) ? UNAVAILABLE : (str(error.message) ?? '').slice(0, 255),
    requestId: str(error.requestId),
  }
}

/**
 * `GET /services/apexrest/concord/ping`: what the `ConcordPing` Apex REST class does in a real
 * org. Apex is not run here; the emulator makes the same callout Apex would: to the named
 * credential's URL, signed with the secret the `Concord_Worker` principal holds (which
 * `sf concord setup` stores through the Connect REST API), and answers with the worker's verdict.
 * A principal with no secret fails the callout as the platform does (`WORKER_UNREACHABLE`).
 * The class exists when the package is preinstalled or a deploy brought it; otherwise the URL
 * mapping is unknown (404 NOT_FOUND, as Apex REST answers).
 */
export function apexPing(
  org: Org,
  deploys: MetadataDeploys,
  credentials: CredentialStore,
  preinstalledUrl: string,
) {
  return async (req: EmuRequest): Promise<EmuResponse> => {
    if (!org.auth.authenticate(req.headers)) return INVALID_SESSION
    if (!org.usage.take())
      return restError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.')
    const installed =
      org.options.packageDeployed !== false || deploys.deployed('ApexClass', 'ConcordPing')
    if (!installed)
      return restError(404, 'NOT_FOUND', 'Could not find a match for URL /concord/ping')
    const endpoint = namedCredentialUrl(deploys, preinstalledUrl)
    const result = blank(endpoint)
    const secret = credentials.value('Concord_Worker', 'Signer', 'SigningSecret')
    const unreachable = {
      ...result,
      state: 'unreachable' as const,
      errorCode: 'WORKER_UNREACHABLE',
      message: UNAVAILABLE,
    }
    if (!secret) return { status: 200, body: unreachable }
    let res: Response
    try {
      const path = '/v1/salesforce/ping'
      res = await fetch(`${endpoint.replace(/\/+$/, '')}${path}`, {
        headers: signedHeaders(secret, 'GET', path, org.clock.now()),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      })
    } catch {
      return { status: 200, body: unreachable }
    }
    if (res.status < 200 || res.status >= 300)
      return { status: 200, body: await refusal(res, result) }
    const seen = (await res.json().catch(() => ({}))) as { key?: unknown; skewSeconds?: unknown }
    if (typeof seen.key !== 'string' || seen.key === '')
      return {
        status: 200,
        body: {
          ...result,
          httpStatus: res.status,
          errorCode: 'UNKNOWN_SHAPE',
          message: UNKNOWN_SHAPE,
        },
      }
    return {
      status: 200,
      body: {
        ...result,
        state: 'ok',
        httpStatus: res.status,
        key: seen.key,
        skewSeconds: typeof seen.skewSeconds === 'number' ? Math.round(seen.skewSeconds) : null,
      },
    }
  }
}
