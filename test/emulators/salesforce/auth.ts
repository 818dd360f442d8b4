import {
  createHmac,
  createPublicKey,
  randomBytes,
  verify,
  X509Certificate,
  type KeyObject,
} from 'node:crypto'
import type { EmuRequest, EmuResponse } from '../common/router.ts'
import type { Clock } from './clock.ts'

/** The connected app (or External Client App) and users the token endpoint knows. */
export interface AuthConfig {
  consumerKey: string
  consumerSecret: string
  /** PEM public key or certificate for the JWT bearer flow; absent = JWT flow off. */
  jwtPublicKeyPem?: string
  /** Integration usernames a JWT `sub` may name. */
  usernames: string[]
  /** Accepted JWT `aud` values: login.salesforce.com, test.salesforce.com, the My Domain URL. */
  loginUrls: string[]
  /** The "Run As" user of the client credentials flow; absent = that flow off. */
  clientCredentialsUser?: string
  sessionTimeoutMs: number
  /** What `instance_url` says; default is the URL the request came in on. */
  instanceUrl?: string
  /** JWT `exp` may be at most this far ahead (Salesforce: 3 minutes). */
  maxJwtLifetimeMs: number
}

/** An access token's session. */
export interface Session {
  token: string
  username: string
  userId: string
  grant: 'jwt-bearer' | 'client_credentials'
  issuedAt: number
  lastUsedAt: number
}

const oauthError = (error: string, description: string, status = 400): EmuResponse => ({
  status,
  headers: { 'cache-control': 'no-store' },
  body: { error, error_description: description },
})

const decodeSegment = (s: string): Record<string, unknown> | undefined => {
  try {
    const value: unknown = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'))
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

/**
 * The OAuth 2.0 token endpoint (JWT bearer and client credentials) and the session store every
 * API request is checked against. Errors follow Salesforce's standard OAuth error responses.
 * https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_jwt_flow.htm
 * https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_flow_errors.htm
 */
export class Auth {
  readonly sessions = new Map<string, Session>()
  minted = 0
  rejected = 0
  config: AuthConfig
  private clock: Clock
  private orgId: string
  private userIdOf: (username: string) => string | undefined
  private publicKey?: KeyObject

  constructor(
    config: AuthConfig,
    clock: Clock,
    orgId: string,
    userIdOf: (username: string) => string | undefined,
  ) {
    this.config = config
    this.clock = clock
    this.orgId = orgId
    this.userIdOf = userIdOf
    const pem = config.jwtPublicKeyPem
    if (pem)
      this.publicKey = pem.includes('BEGIN CERTIFICATE')
        ? new X509Certificate(pem).publicKey
        : createPublicKey(pem)
  }

  /** `POST /services/oauth2/token`. */
  token(req: EmuRequest): EmuResponse {
    const form = new URLSearchParams(req.rawBody)
    const grant = form.get('grant_type')
    const out =
      grant === 'urn:ietf:params:oauth:grant-type:jwt-bearer'
        ? this.jwtBearer(req, form.get('assertion') ?? '')
        : grant === 'client_credentials'
          ? this.clientCredentials(req, form)
          : oauthError('unsupported_grant_type', 'grant type not supported')
    if (out.status !== 200) this.rejected += 1
    return out
  }

  private jwtBearer(req: EmuRequest, assertion: string): EmuResponse {
    const [h, p, s, extra] = assertion.split('.')
    const header = h ? decodeSegment(h) : undefined
    const claims = p ? decodeSegment(p) : undefined
    if (!header || !claims || s === undefined || extra !== undefined)
      return oauthError('invalid_grant', 'invalid assertion')
    if (claims.iss !== this.config.consumerKey)
      return oauthError('invalid_client_id', 'client identifier invalid')
    if (!this.publicKey || header.alg !== 'RS256')
      return oauthError('invalid_grant', 'invalid assertion')
    const signed = verify(
      'RSA-SHA256',
      Buffer.from(`${h}.${p}`),
      this.publicKey,
      Buffer.from(s, 'base64url'),
    )
    if (!signed) return oauthError('invalid_grant', 'invalid assertion')
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud]
    const audience = this.config.loginUrls.find((u) =>
      aud.some((a) => typeof a === 'string' && a.replace(/\/$/, '') === u),
    )
    if (!audience) return oauthError('invalid_grant', 'audience is invalid')
    const exp = typeof claims.exp === 'number' ? claims.exp * 1000 : NaN
    const now = this.clock.now()
    if (!(exp > now)) return oauthError('invalid_grant', 'expired authorization code')
    // Salesforce wants exp no more than 3 minutes out; the exact description for a too-distant
    // exp is not documented, so this answers like any other unacceptable assertion.
    if (exp - now > this.config.maxJwtLifetimeMs)
      return oauthError('invalid_grant', 'invalid assertion')
    const username = typeof claims.sub === 'string' ? claims.sub : ''
    const userId = this.config.usernames.includes(username) ? this.userIdOf(username) : undefined
    if (!userId) return oauthError('invalid_grant', "user hasn't approved this consumer")
    return this.mint(req, username, userId, 'jwt-bearer', audience)
  }

  private clientCredentials(req: EmuRequest, form: URLSearchParams): EmuResponse {
    let id = form.get('client_id')
    let secret = form.get('client_secret')
    const basic = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '')
    if (basic?.[1]) {
      const decoded = Buffer.from(basic[1], 'base64').toString('utf8')
      const colon = decoded.indexOf(':')
      id = decodeURIComponent(decoded.slice(0, colon))
      secret = decodeURIComponent(decoded.slice(colon + 1))
    }
    if (id !== this.config.consumerKey)
      return oauthError('invalid_client_id', 'client identifier invalid')
    if (secret !== this.config.consumerSecret)
      return oauthError('invalid_client', 'invalid client credentials')
    const username = this.config.clientCredentialsUser
    const userId = username ? this.userIdOf(username) : undefined
    if (!username || !userId)
      return oauthError('invalid_grant', 'no client credentials user enabled')
    return this.mint(req, username, userId, 'client_credentials', this.instanceUrl(req))
  }

  private instanceUrl(req: EmuRequest): string {
    return this.config.instanceUrl ?? `http://${req.headers.host ?? '127.0.0.1'}`
  }

  private mint(
    req: EmuRequest,
    username: string,
    userId: string,
    grant: Session['grant'],
    idBase: string,
  ): EmuResponse {
    const now = this.clock.now()
    const token = `${this.orgId.slice(0, 15)}!AR${randomBytes(64).toString('base64url')}`
    this.sessions.set(token, { token, username, userId, grant, issuedAt: now, lastUsedAt: now })
    this.minted += 1
    const id = `${idBase}/id/${this.orgId}/${userId}`
    const issuedAt = String(now)
    // Salesforce signs id + issued_at with the consumer secret (HMAC-SHA256, base64).
    const signature = createHmac('sha256', this.config.consumerSecret)
      .update(id + issuedAt)
      .digest('base64')
    return {
      status: 200,
      headers: { 'cache-control': 'no-store' },
      body: {
        access_token: token,
        signature,
        scope: 'api',
        instance_url: this.instanceUrl(req),
        id,
        token_type: 'Bearer',
        issued_at: issuedAt,
      },
    }
  }

  /** The live session behind `Authorization: Bearer|OAuth <token>`; using it extends it. */
  authenticate(headers: Record<string, string>): Session | undefined {
    const match = /^(?:Bearer|OAuth)\s+(\S+)$/i.exec(headers.authorization ?? '')
    const session = match?.[1] ? this.sessions.get(match[1]) : undefined
    if (!session) return undefined
    const now = this.clock.now()
    if (now - session.lastUsedAt >= this.config.sessionTimeoutMs) {
      this.sessions.delete(session.token)
      return undefined
    }
    session.lastUsedAt = now
    return session
  }

  /**
   * `GET /services/oauth2/userinfo`: who the token belongs to (OpenID Connect claims), as
   * `sf org login access-token` asks. Not an API call: it takes nothing from the allocation.
   * https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_using_userinfo_endpoint.htm
   */
  userinfo(req: EmuRequest): EmuResponse {
    const session = this.authenticate(req.headers)
    if (!session)
      return { status: 403, text: 'Forbidden', headers: { 'content-type': 'text/plain' } }
    return {
      status: 200,
      body: {
        sub: `${this.instanceUrl(req)}/id/${this.orgId}/${session.userId}`,
        user_id: session.userId,
        organization_id: this.orgId,
        preferred_username: session.username,
        email: session.username,
        active: true,
      },
    }
  }

  /** Revokes every session (an admin revoking tokens, or the session timeout passing). */
  expireAll(): number {
    const n = this.sessions.size
    this.sessions.clear()
    return n
  }

  reset(): void {
    this.sessions.clear()
    this.minted = 0
    this.rejected = 0
  }
}
