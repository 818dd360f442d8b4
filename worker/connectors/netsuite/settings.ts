import * as z from 'zod'
import type { NetsuiteEnv } from './index.ts'

export const JWT_ALGS = ['PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'] as const
export type JwtAlg = (typeof JWT_ALGS)[number]

export type NetsuiteAuthSettings =
  | { flow: 'm2m'; clientId: string; certificateId: string; privateKeyPem: string; alg: JwtAlg }
  | {
      flow: 'tba'
      consumerKey: string
      consumerSecret: string
      tokenId: string
      tokenSecret: string
    }

/** NetSuite configuration, parsed once per `env` object. */
export interface NetsuiteSettings {
  /** As the TBA realm spells it, e.g. `1234567_SB1`. */
  accountId: string
  /** Scheme and host, no trailing slash. */
  baseUrl: string
  auth: NetsuiteAuthSettings
  /** Requests Concord may have in flight against the account (the gate's size). */
  concurrency: number
  /** `Concord_Legal_Entity__c` → subsidiary internal id; `*` is the default. */
  subsidiaryRules: Record<string, string>
  /** Whether the customer upsert writes the billing address (`addressBook`). */
  writeAddress: boolean
  timeoutMs: number
}

export type SettingsResult =
  | { status: 'absent' }
  | { status: 'invalid'; problems: string[] }
  | { status: 'ok'; settings: NetsuiteSettings }

const text = z.string().trim().min(1)

const Raw = z.object({
  NETSUITE_ACCOUNT_ID: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]+$/, 'must be the account id, e.g. 1234567 or 1234567_SB1'),
  NETSUITE_BASE_URL: z.url().optional(),
  NETSUITE_AUTH_FLOW: z.enum(['m2m', 'tba']).default('m2m'),
  NETSUITE_JWT_ALG: z.enum(JWT_ALGS).default('PS256'),
  NETSUITE_CONCURRENCY: z.coerce.number().int().min(1).max(200).default(3),
  NETSUITE_SUBSIDIARY_RULES: z
    .string()
    .transform((s, ctx) => {
      try {
        return JSON.parse(s) as unknown
      } catch {
        ctx.addIssue({ code: 'custom', message: 'is not valid JSON' })
        return z.NEVER
      }
    })
    .pipe(
      z.record(z.string(), z.string().regex(/^\d+$/, 'subsidiary ids are internal ids (digits)')),
    )
    .default({}),
  NETSUITE_ADDRESS_BOOK: z.enum(['on', 'off']).default('on'),
  NETSUITE_TIMEOUT_MS: z.coerce.number().int().min(1000).max(900_000).default(30_000),
})

const M2M_KEYS = ['NETSUITE_CLIENT_ID', 'NETSUITE_CERTIFICATE_ID', 'NETSUITE_PRIVATE_KEY'] as const
const TBA_KEYS = [
  'NETSUITE_CONSUMER_KEY',
  'NETSUITE_CONSUMER_SECRET',
  'NETSUITE_TOKEN_ID',
  'NETSUITE_TOKEN_SECRET',
] as const

/** `https://1234567-sb1.suitetalk.api.netsuite.com` for account `1234567_SB1`. */
export function defaultBaseUrl(accountId: string): string {
  return `https://${accountId.toLowerCase().replace(/_/g, '-')}.suitetalk.api.netsuite.com`
}

const cache = new WeakMap<object, SettingsResult>()

/**
 * Reads the NetSuite settings. `absent` when no account id is set (NetSuite not in use);
 * `invalid` names every bad or missing variable, never a value (some are secrets).
 */
export function readSettings(env: NetsuiteEnv): SettingsResult {
  const hit = cache.get(env)
  if (hit) return hit
  const result = parse(env)
  cache.set(env, result)
  return result
}

function parse(env: NetsuiteEnv): SettingsResult {
  if (!env.NETSUITE_ACCOUNT_ID) return { status: 'absent' }
  const parsed = Raw.safeParse(env)
  if (!parsed.success)
    return {
      status: 'invalid',
      problems: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
    }
  const raw = parsed.data
  const flow = raw.NETSUITE_AUTH_FLOW
  const missing = (flow === 'm2m' ? M2M_KEYS : TBA_KEYS).filter(
    (k) => !text.safeParse(env[k]).success,
  )
  if (missing.length > 0)
    return {
      status: 'invalid',
      problems: missing.map((k) => `${k}: is required for NETSUITE_AUTH_FLOW=${flow}`),
    }
  const auth: NetsuiteAuthSettings =
    flow === 'm2m'
      ? {
          flow,
          clientId: env.NETSUITE_CLIENT_ID!.trim(),
          certificateId: env.NETSUITE_CERTIFICATE_ID!.trim(),
          privateKeyPem: env.NETSUITE_PRIVATE_KEY!,
          alg: raw.NETSUITE_JWT_ALG,
        }
      : {
          flow,
          consumerKey: env.NETSUITE_CONSUMER_KEY!.trim(),
          consumerSecret: env.NETSUITE_CONSUMER_SECRET!,
          tokenId: env.NETSUITE_TOKEN_ID!.trim(),
          tokenSecret: env.NETSUITE_TOKEN_SECRET!,
        }
  return {
    status: 'ok',
    settings: {
      accountId: raw.NETSUITE_ACCOUNT_ID,
      baseUrl: (raw.NETSUITE_BASE_URL ?? defaultBaseUrl(raw.NETSUITE_ACCOUNT_ID)).replace(
        /\/+$/,
        '',
      ),
      auth,
      concurrency: raw.NETSUITE_CONCURRENCY,
      subsidiaryRules: raw.NETSUITE_SUBSIDIARY_RULES,
      writeAddress: raw.NETSUITE_ADDRESS_BOOK === 'on',
      timeoutMs: raw.NETSUITE_TIMEOUT_MS,
    },
  }
}
