import { constants, createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto'

/** Algorithms NetSuite accepts for the client assertion (plus RS256, which it refuses). */
export type JwtAlg = 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'ES512'

const HASH: Record<string, string> = { 256: 'sha256', 384: 'sha384', 512: 'sha512' }
const CURVE: Record<string, string> = {
  ES256: 'prime256v1',
  ES384: 'secp384r1',
  ES512: 'secp521r1',
}

export interface CertificateKeys {
  privateKey: KeyObject
  publicKey: KeyObject
  privateKeyPem: string
  publicKeyPem: string
}

/** A key pair NetSuite would accept for `alg`: RSA 3072 for PS*, the matching curve for ES*. */
export function generateCertificateKeys(alg: JwtAlg): CertificateKeys {
  const pair = alg.startsWith('PS')
    ? generateKeyPairSync('rsa', { modulusLength: 3072 })
    : generateKeyPairSync('ec', { namedCurve: CURVE[alg]! })
  return {
    ...pair,
    privateKeyPem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  }
}

export interface AssertionInput {
  privateKey: KeyObject | string
  alg: JwtAlg | 'RS256'
  kid: string
  clientId: string
  /** The token endpoint URL. */
  audience: string
  scope?: string
  /** Seconds; default now. */
  iat?: number
  /** Seconds; default iat + 300. */
  exp?: number
  /** Extra or overriding header / payload members, for negative tests. */
  header?: Record<string, unknown>
  payload?: Record<string, unknown>
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')

/**
 * Signs a client assertion the way a NetSuite M2M client does (header `typ`, `alg`, `kid`;
 * payload `iss`, `scope`, `aud`, `iat`, `exp`). Used by the CLI's self-check and by tests.
 */
export function signClientAssertion(input: AssertionInput): string {
  const iat = input.iat ?? Math.floor(Date.now() / 1000)
  const header = { typ: 'JWT', alg: input.alg, kid: input.kid, ...input.header }
  const payload = {
    iss: input.clientId,
    scope: input.scope ?? 'rest_webservices',
    aud: input.audience,
    iat,
    exp: input.exp ?? iat + 300,
    ...input.payload,
  }
  const signingInput = `${b64(header)}.${b64(payload)}`
  const key =
    typeof input.privateKey === 'string' ? createPrivateKey(input.privateKey) : input.privateKey
  const hash = HASH[input.alg.slice(2)]!
  const data = Buffer.from(signingInput)
  const signature = input.alg.startsWith('ES')
    ? sign(hash, data, { key, dsaEncoding: 'ieee-p1363' })
    : input.alg.startsWith('PS')
      ? sign(hash, data, {
          key,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
        })
      : sign(hash, data, key)
  return `${signingInput}.${signature.toString('base64url')}`
}
