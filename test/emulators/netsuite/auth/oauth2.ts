import { randomBytes } from 'node:crypto'
import type { EmuRequest, EmuResponse } from '../../common/router.ts'
import type { Clock } from '../clock.ts'
import { verifyAssertion, type VerifierClient } from './jwt.ts'

export const TOKEN_PATH = '/services/rest/auth/oauth2/v1/token'
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

interface IssuedToken {
  clientId: string
  scopes: string[]
  expiresAt: number
}

/** Access tokens the emulator issued, with their expiry on the emulator clock. */
export class TokenStore {
  private tokens = new Map<string, IssuedToken>()
  private clock: Clock

  constructor(clock: Clock) {
    this.clock = clock
  }

  issue(clientId: string, scopes: string[], ttlSeconds: number): string {
    const token = `nsat.${randomBytes(24).toString('base64url')}`
    this.tokens.set(token, { clientId, scopes, expiresAt: this.clock.now() + ttlSeconds * 1000 })
    return token
  }

  /** The live token's grant, or undefined when unknown or expired. */
  check(token: string): IssuedToken | undefined {
    const hit = this.tokens.get(token)
    return hit && hit.expiresAt > this.clock.now() ? hit : undefined
  }

  /** Ends every token now (as if an hour had passed); returns how many were live. */
  expireAll(): number {
    const now = this.clock.now()
    let live = 0
    for (const t of this.tokens.values()) {
      if (t.expiresAt > now) live += 1
      t.expiresAt = Math.min(t.expiresAt, now)
    }
    return live
  }

  reset(): void {
    this.tokens.clear()
  }

  state(): { issued: number; live: number } {
    const now = this.clock.now()
    return {
      issued: this.tokens.size,
      live: [...this.tokens.values()].filter((t) => t.expiresAt > now).length,
    }
  }
}

export interface TokenEndpointDeps {
  tokens: TokenStore
  clients: VerifierClient[]
  clock: Clock
  ttlSeconds: number
  accountId: string
  /** Token URLs accepted as the assertion's `aud` for this request. */
  audiences(req: EmuRequest): string[]
}

function oauthError(
  status: number,
  error: string,
  description: string,
  accountId: string,
): EmuResponse {
  // RFC 6749 §5.2 errors; NetSuite answers invalid_client with 401 and a Basic challenge
  // (https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/subsect_161252460252.html).
  const headers: Record<string, string> = { 'cache-control': 'no-store' }
  if (status === 401) headers['www-authenticate'] = `Basic realm="${accountId}"`
  return { status, headers, body: { error, error_description: description } }
}

/**
 * `POST /services/rest/auth/oauth2/v1/token`, client credentials with a JWT client assertion
 * (https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_162755359851.html).
 */
export function tokenEndpoint(deps: TokenEndpointDeps, req: EmuRequest): EmuResponse {
  const type = (req.headers['content-type'] ?? '').toLowerCase()
  if (!type.startsWith('application/x-www-form-urlencoded')) {
    return oauthError(
      400,
      'invalid_request',
      'the body must be application/x-www-form-urlencoded',
      deps.accountId,
    )
  }
  const form = new URLSearchParams(req.rawBody)
  if (form.get('grant_type') !== 'client_credentials') {
    return oauthError(
      400,
      'invalid_request',
      'grant_type must be client_credentials',
      deps.accountId,
    )
  }
  if (form.get('client_assertion_type') !== JWT_BEARER) {
    return oauthError(
      400,
      'invalid_request',
      `client_assertion_type must be ${JWT_BEARER}`,
      deps.accountId,
    )
  }
  const assertion = form.get('client_assertion')
  if (!assertion)
    return oauthError(400, 'invalid_request', 'client_assertion is required', deps.accountId)
  // iat/exp come from the client's real clock, so they are checked against real time; the token
  // issued then ages on the emulator clock, so a test can expire it by moving that clock.
  const result = verifyAssertion(
    assertion,
    deps.clients,
    Math.floor(Date.now() / 1000),
    deps.audiences(req),
  )
  if (!result.ok) return oauthError(result.status, result.error, result.description, deps.accountId)
  const accessToken = deps.tokens.issue(result.clientId, result.scopes, deps.ttlSeconds)
  return {
    status: 200,
    headers: { 'cache-control': 'no-store' },
    body: { access_token: accessToken, token_type: 'bearer', expires_in: deps.ttlSeconds },
  }
}
