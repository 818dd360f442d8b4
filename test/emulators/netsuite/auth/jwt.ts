import { constants, createPublicKey, verify, X509Certificate, type KeyObject } from 'node:crypto'

/**
 * Verification of the client assertion of NetSuite's OAuth 2.0 client credentials (M2M) flow,
 * per "The Request Token Structure"
 * (https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_162790605110.html):
 * header `typ` JWT, `alg` one of PS256/384/512 or ES256/384/512 (RS256 is not in the list), `kid`
 * the certificate ID; payload `iss` the client ID, `scope` (comma-separated) with
 * `rest_webservices`, `aud` the token endpoint, `iat`, and `exp` "less than 60 minutes greater
 * than" `iat`. Certificates: RSA 3072/4096 bits or EC P-256/384/521
 * (https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/subsect_162755332391.html).
 */

interface AlgSpec {
  hash: string
  /** EC curve (node name) and raw r||s signature length; absent for RSA-PSS. */
  curve?: string
  sigLength?: number
}

const ALGS: Record<string, AlgSpec> = {
  PS256: { hash: 'sha256' },
  PS384: { hash: 'sha384' },
  PS512: { hash: 'sha512' },
  ES256: { hash: 'sha256', curve: 'prime256v1', sigLength: 64 },
  ES384: { hash: 'sha384', curve: 'secp384r1', sigLength: 96 },
  ES512: { hash: 'sha512', curve: 'secp521r1', sigLength: 132 },
}

/** A configured certificate, its key parsed. */
export interface VerifierCertificate {
  certificateId: string
  key: KeyObject
}

export interface VerifierClient {
  clientId: string
  certificates: VerifierCertificate[]
}

export type AssertionResult =
  | { ok: true; clientId: string; scopes: string[] }
  | {
      ok: false
      status: 400 | 401
      error: 'invalid_request' | 'invalid_client' | 'invalid_grant'
      description: string
    }

/** Parses a PEM public key, X.509 certificate or key object into a public `KeyObject`. */
export function toPublicKey(key: string | KeyObject): KeyObject {
  if (typeof key !== 'string') return key.type === 'private' ? createPublicKey(key) : key
  if (key.includes('BEGIN CERTIFICATE')) return new X509Certificate(key).publicKey
  return createPublicKey(key)
}

/**
 * Refuses keys NetSuite would not accept on certificate upload.
 * @throws Error naming what is wrong with the key.
 */
export function checkCertificateKey(key: KeyObject): void {
  const d = key.asymmetricKeyDetails ?? {}
  if (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') {
    if (d.modulusLength !== 3072 && d.modulusLength !== 4096)
      throw new Error(`RSA certificates must be 3072 or 4096 bits (got ${d.modulusLength})`)
    return
  }
  if (
    key.asymmetricKeyType === 'ec' &&
    ['prime256v1', 'secp384r1', 'secp521r1'].includes(d.namedCurve ?? '')
  )
    return
  throw new Error(
    `unsupported certificate key: ${key.asymmetricKeyType} ${d.namedCurve ?? ''}`.trim(),
  )
}

const b64url = (s: string) => Buffer.from(s, 'base64url')

function decode(token: string):
  | {
      header: Record<string, unknown>
      payload: Record<string, unknown>
      input: string
      signature: Buffer
    }
  | undefined {
  const parts = token.split('.')
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) return undefined
  try {
    const header = JSON.parse(b64url(parts[0]!).toString('utf8')) as unknown
    const payload = JSON.parse(b64url(parts[1]!).toString('utf8')) as unknown
    if (typeof header !== 'object' || !header || typeof payload !== 'object' || !payload)
      return undefined
    return {
      header: header as Record<string, unknown>,
      payload: payload as Record<string, unknown>,
      input: `${parts[0]}.${parts[1]}`,
      signature: b64url(parts[2]!),
    }
  } catch {
    return undefined
  }
}

function signatureValid(spec: AlgSpec, key: KeyObject, input: string, signature: Buffer): boolean {
  const data = Buffer.from(input)
  if (spec.curve) {
    if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== spec.curve)
      return false
    if (signature.length !== spec.sigLength) return false
    return verify(spec.hash, data, { key, dsaEncoding: 'ieee-p1363' }, signature)
  }
  if (key.asymmetricKeyType !== 'rsa' && key.asymmetricKeyType !== 'rsa-pss') return false
  return verify(
    spec.hash,
    data,
    { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST },
    signature,
  )
}

/** `scope` as NetSuite documents it (comma-separated); spaces and arrays are tolerated. */
function scopesOf(scope: unknown): string[] {
  const list = Array.isArray(scope) ? scope : typeof scope === 'string' ? scope.split(/[,\s]+/) : []
  return list.filter((s): s is string => typeof s === 'string' && s.length > 0)
}

/**
 * Checks a client assertion against the configured integrations at `nowSeconds`.
 * `audiences` are the token URLs the emulator answers to.
 */
export function verifyAssertion(
  token: string,
  clients: VerifierClient[],
  nowSeconds: number,
  audiences: string[],
): AssertionResult {
  const grant = (description: string): AssertionResult => ({
    ok: false,
    status: 400,
    error: 'invalid_grant',
    description,
  })
  const jwt = decode(token)
  if (!jwt)
    return {
      ok: false,
      status: 400,
      error: 'invalid_request',
      description: 'client_assertion is not a JWT',
    }
  const { header, payload } = jwt
  if (header.typ !== undefined && header.typ !== 'JWT') return grant('JWT header typ must be JWT')
  const spec = typeof header.alg === 'string' ? ALGS[header.alg] : undefined
  if (!spec)
    return grant(
      `JWT alg ${String(header.alg)} is not supported; use PS256, PS384, PS512, ES256, ES384 or ES512`,
    )
  const client = clients.find((c) => c.clientId === payload.iss)
  if (!client)
    return { ok: false, status: 401, error: 'invalid_client', description: 'unknown client (iss)' }
  const cert = client.certificates.find((c) => c.certificateId === header.kid)
  if (!cert) return grant('no certificate with this kid is mapped to the integration')
  if (!signatureValid(spec, cert.key, jwt.input, jwt.signature))
    return grant('the JWT signature does not verify with the mapped certificate')
  const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud]
  if (!aud.some((a) => typeof a === 'string' && audiences.includes(a)))
    return grant('aud must be the token endpoint URL')
  const scopes = scopesOf(payload.scope)
  if (!scopes.includes('rest_webservices')) return grant('scope must include rest_webservices')
  const { iat, exp } = payload
  if (typeof iat !== 'number' || typeof exp !== 'number')
    return grant('iat and exp are required numbers')
  if (exp <= nowSeconds) return grant('the JWT has expired')
  if (iat > nowSeconds + 60) return grant('iat is in the future')
  if (exp - iat >= 3600) return grant('exp must be less than 60 minutes after iat')
  return { ok: true, clientId: client.clientId, scopes }
}
