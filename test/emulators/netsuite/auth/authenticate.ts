import type { EmuRequest } from '../../common/router.ts'
import type { Clock } from '../clock.ts'
import { invalidLogin, type NetsuiteError } from '../errors.ts'
import type { TbaCredential } from '../options.ts'
import type { TokenStore } from './oauth2.ts'
import { verifyTba, type NonceStore } from './tba.ts'

export interface LoginAudit {
  at: string
  scheme: 'bearer' | 'tba' | 'none'
  ok: boolean
  reason?: string
}

export interface AuthDeps {
  tokens: TokenStore
  nonces: NonceStore
  clock: Clock
  tba: TbaCredential[]
  accountId: string
  tbaMaxSkewSeconds: number
  baseUrls(req: EmuRequest): string[]
}

/**
 * Checks a web-services request's credentials: a bearer token from the M2M flow (with the
 * `rest_webservices` scope) or a TBA signature. Every failure answers NetSuite's generic 401
 * "Invalid login attempt" — the reason goes only to the audit trail, like NetSuite's Login Audit
 * Trail, which `/__control/state` exposes for debugging a client.
 */
export class Authenticator {
  readonly audit: LoginAudit[] = []
  private deps: AuthDeps

  constructor(deps: AuthDeps) {
    this.deps = deps
  }

  private log(scheme: LoginAudit['scheme'], ok: boolean, reason?: string): void {
    this.audit.push({ at: new Date(this.deps.clock.now()).toISOString(), scheme, ok, reason })
    if (this.audit.length > 50) this.audit.shift()
  }

  /** Undefined when the request may proceed, else the 401 to answer. */
  check(req: EmuRequest): NetsuiteError | undefined {
    const header = req.headers.authorization ?? ''
    const fail = (scheme: LoginAudit['scheme'], reason: string) => {
      this.log(scheme, false, reason)
      const err = invalidLogin()
      // https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/subsect_158521885412.html
      if (scheme === 'bearer')
        err.headers['www-authenticate'] =
          `Bearer realm="${this.deps.accountId}", error="invalid_token", error_description="Invalid login attempt."`
      return err
    }
    const bearer = /^Bearer\s+(\S+)$/i.exec(header)
    if (bearer) {
      const grant = this.deps.tokens.check(bearer[1]!)
      if (!grant) return fail('bearer', 'unknown or expired access token')
      if (!grant.scopes.includes('rest_webservices'))
        return fail('bearer', 'token lacks the rest_webservices scope')
      this.log('bearer', true)
      return undefined
    }
    if (/^OAuth\s/i.test(header)) {
      const result = verifyTba(req, header, {
        credentials: this.deps.tba,
        nonces: this.deps.nonces,
        // oauth_timestamp is the client's real time, whatever the emulator clock says.
        nowSeconds: Math.floor(Date.now() / 1000),
        maxSkewSeconds: this.deps.tbaMaxSkewSeconds,
        accountId: this.deps.accountId,
        baseUrls: this.deps.baseUrls(req),
      })
      if (!result.ok) return fail('tba', result.reason)
      this.log('tba', true)
      return undefined
    }
    return fail('none', header ? 'unsupported Authorization scheme' : 'no Authorization header')
  }

  reset(): void {
    this.audit.length = 0
  }
}
