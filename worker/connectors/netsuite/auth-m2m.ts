import { vendorFetch, type Fetch } from '../http.ts'
import { isTransientStatus } from '../../failure/classify.ts'
import { ConnectorError } from '../../failure/errors.ts'
import { encodeBase64url as base64url } from '../../lib/base64url.ts'
import { utf8, type NetsuiteAuth } from './auth.ts'
import type { JwtAlg } from '../../config/types.ts'

/**
 * OAuth 2.0 client credentials (M2M) with a JWT client assertion, per "The Request Token
 * Structure" (https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_162790605110.html):
 * header `typ` JWT, `alg` PS256/384/512 or ES256/384/512 (RS256 is refused), `kid` the
 * certificate id of the M2M mapping; payload `iss` the client id, `scope` rest_webservices, `aud`
 * the token URL, `iat`, `exp` (less than 60 minutes after `iat`). Signed with WebCrypto only.
 */

export const TOKEN_PATH = '/services/rest/auth/oauth2/v1/token'
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
/** Short: the assertion is used once, at once, and a leaked one should be worthless soon. */
const ASSERTION_TTL_SECONDS = 300
/** A token is replaced this long before it expires (or at 90% of its life if that is sooner). */
const REFRESH_EARLY_MS = 5 * 60_000

interface AlgSpec {
  importParams: RsaHashedImportParams | EcKeyImportParams
  signParams: RsaPssParams | EcdsaParams
}

// RFC 7518 §3.5: the PSS salt is as long as the hash. WebCrypto's ECDSA already yields the raw
// r||s (IEEE P1363) that JWS wants, not DER.
const ALGS: Record<JwtAlg, AlgSpec> = {
  PS256: {
    importParams: { name: 'RSA-PSS', hash: 'SHA-256' },
    signParams: { name: 'RSA-PSS', saltLength: 32 },
  },
  PS384: {
    importParams: { name: 'RSA-PSS', hash: 'SHA-384' },
    signParams: { name: 'RSA-PSS', saltLength: 48 },
  },
  PS512: {
    importParams: { name: 'RSA-PSS', hash: 'SHA-512' },
    signParams: { name: 'RSA-PSS', saltLength: 64 },
  },
  ES256: {
    importParams: { name: 'ECDSA', namedCurve: 'P-256' },
    signParams: { name: 'ECDSA', hash: 'SHA-256' },
  },
  ES384: {
    importParams: { name: 'ECDSA', namedCurve: 'P-384' },
    signParams: { name: 'ECDSA', hash: 'SHA-384' },
  },
  ES512: {
    importParams: { name: 'ECDSA', namedCurve: 'P-521' },
    signParams: { name: 'ECDSA', hash: 'SHA-512' },
  },
}

const misconfigured = (message: string) =>
  new ConnectorError({ category: 'auth', system: 'netsuite', code: 'misconfigured', message })

/**
 * The DER bytes of a PKCS#8 PEM (`BEGIN PRIVATE KEY`); tolerates `\n` written as two characters.
 * @throws ConnectorError (transient, misconfigured) for anything else, without echoing the key.
 */
export function pkcs8FromPem(pem: string): Uint8Array<ArrayBuffer> {
  const normalized = pem.replace(/\\n/g, '\n')
  const m = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/.exec(normalized)
  if (!m) throw misconfigured('NETSUITE_PRIVATE_KEY is not a PEM private key.')
  if (m[1] !== 'PRIVATE KEY')
    throw misconfigured(
      `NETSUITE_PRIVATE_KEY is a ${m[1]}; convert it to PKCS#8 (openssl pkcs8 -topk8 -nocrypt).`,
    )
  try {
    const binary = atob(m[2]!.replace(/\s+/g, ''))
    return Uint8Array.from(binary, (c) => c.charCodeAt(0))
  } catch {
    throw misconfigured('NETSUITE_PRIVATE_KEY is not valid base64 inside its PEM armour.')
  }
}

const keys = new Map<string, Promise<CryptoKey>>()

function signingKey(pem: string, alg: JwtAlg): Promise<CryptoKey> {
  const cacheKey = `${alg}\n${pem}`
  let key = keys.get(cacheKey)
  if (!key) {
    key = Promise.resolve()
      .then(() =>
        crypto.subtle.importKey('pkcs8', pkcs8FromPem(pem), ALGS[alg].importParams, false, [
          'sign',
        ]),
      )
      .catch((err: unknown) => {
        keys.delete(cacheKey)
        throw err instanceof ConnectorError
          ? err
          : misconfigured(
              `NETSUITE_PRIVATE_KEY cannot sign ${alg} (wrong key type or curve for NETSUITE_JWT_ALG?).`,
            )
      })
    keys.set(cacheKey, key)
  }
  return key
}

export interface AssertionInput {
  alg: JwtAlg
  privateKeyPem: string
  certificateId: string
  clientId: string
  /** The token endpoint URL. */
  audience: string
  /** Seconds since the epoch; default now. */
  now?: number
}

/** Signs the client assertion (a compact JWS). */
export async function signClientAssertion(input: AssertionInput): Promise<string> {
  const iat = input.now ?? Math.floor(Date.now() / 1000)
  const header = { typ: 'JWT', alg: input.alg, kid: input.certificateId }
  const payload = {
    iss: input.clientId,
    scope: 'rest_webservices',
    aud: input.audience,
    iat,
    exp: iat + ASSERTION_TTL_SECONDS,
  }
  const signingInput = `${base64url(utf8(JSON.stringify(header)))}.${base64url(utf8(JSON.stringify(payload)))}`
  const key = await signingKey(input.privateKeyPem, input.alg)
  const signature = await crypto.subtle.sign(ALGS[input.alg].signParams, key, utf8(signingInput))
  return `${signingInput}.${base64url(signature)}`
}

interface Token {
  value: string
  refreshAt: number
}

/** One integration's token, shared by every caller in the isolate; `minting` makes mints single-flight. */
interface TokenSlot {
  token?: Token
  minting?: Promise<Token>
  mints: number
}

const slots = new Map<string, TokenSlot>()

/** Forgets every cached token in this isolate (tests; after rotating a certificate). */
export function clearTokenCache(): void {
  slots.clear()
}

export interface M2mOptions {
  baseUrl: string
  clientId: string
  certificateId: string
  privateKeyPem: string
  alg: JwtAlg
  timeoutMs: number
  fetch?: Fetch
}

/** Bearer tokens from the client credentials flow, cached per isolate until shortly before expiry. */
export class M2mAuth implements NetsuiteAuth {
  readonly flow = 'm2m'
  readonly tokenUrl: string
  private readonly opts: M2mOptions
  private readonly slot: TokenSlot

  constructor(opts: M2mOptions) {
    this.opts = opts
    this.tokenUrl = `${opts.baseUrl}${TOKEN_PATH}`
    const key = `${this.tokenUrl}\n${opts.clientId}\n${opts.certificateId}`
    let slot = slots.get(key)
    if (!slot) slots.set(key, (slot = { mints: 0 }))
    this.slot = slot
  }

  /** Tokens minted so far for this integration in this isolate (for tests and diagnostics). */
  get mints(): number {
    return this.slot.mints
  }

  async header(): Promise<string> {
    return `Bearer ${(await this.token()).value}`
  }

  rejected(header: string): boolean {
    // Another caller may already have replaced the token: only drop the one that was refused.
    if (this.slot.token && `Bearer ${this.slot.token.value}` === header) this.slot.token = undefined
    return true
  }

  private token(): Promise<Token> {
    const { slot } = this
    if (slot.token && slot.token.refreshAt > Date.now()) return Promise.resolve(slot.token)
    if (!slot.minting) {
      const minting = this.mint()
        .then((token) => {
          slot.token = token
          return token
        })
        .finally(() => {
          if (slot.minting === minting) slot.minting = undefined
        })
      slot.minting = minting
    }
    return slot.minting
  }

  private async mint(): Promise<Token> {
    const started = Date.now()
    this.slot.mints += 1
    const assertion = await signClientAssertion({ ...this.opts, audience: this.tokenUrl })
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: assertion,
    })
    const res = await vendorFetch('netsuite', this.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form.toString(),
      timeoutMs: this.opts.timeoutMs,
      fetch: this.opts.fetch,
    })
    const body = (res.json ?? {}) as {
      access_token?: unknown
      expires_in?: unknown
      error?: unknown
      error_description?: unknown
    }
    if (res.status !== 200 || typeof body.access_token !== 'string') {
      const oauth =
        typeof body.error === 'string'
          ? `${body.error}${typeof body.error_description === 'string' ? `: ${body.error_description}` : ''}`
          : `HTTP ${res.status}`
      const refused = !isTransientStatus(res.status) && res.status !== 200
      throw new ConnectorError({
        category: refused ? 'auth' : 'transient',
        system: 'netsuite',
        code: refused ? 'auth_failed' : 'token_unavailable',
        message: refused
          ? `NetSuite refused the client assertion (${oauth}); check the client id, certificate id and key of the M2M mapping.`
          : `NetSuite's token endpoint did not issue a token (${oauth}).`,
        retryAfterMs: res.retryAfterMs,
        status: res.status,
      })
    }
    const ttlMs = (Number(body.expires_in) > 0 ? Number(body.expires_in) : 3600) * 1000
    return {
      value: body.access_token,
      refreshAt: started + ttlMs - Math.min(REFRESH_EARLY_MS, ttlMs / 10),
    }
  }
}
