import { CONSOLE_ROLES } from '../config/schema.ts'
import { toHex } from '../lib/hmac.ts'
import type { ConsoleRole } from './roles.ts'
import { seal, unseal } from './seal.ts'

/** Whom a link signs in; without one, the person at the machine (`local-console`, admin). */
export interface LinkIdentity {
  name: string
  role: ConsoleRole
}

/** How long a one-time sign-in link is good for, unless the minter says otherwise. */
export const LOGIN_LINK_TTL_SECONDS = 15 * 60

/**
 * A one-time sign-in code for the console: a random nonce and an expiry, sealed with
 * `CONSOLE_LOGIN_SECRET`. The local stack mints one at start and prints it as a link; the worker
 * redeems the nonce once (the OpsRegistry remembers it), so the link works a single time.
 */
export function mintLoginCode(
  secret: string,
  opts: { now?: number; ttlSeconds?: number; as?: LinkIdentity } = {},
): Promise<string> {
  const now = opts.now ?? Date.now()
  const nonce = toHex(crypto.getRandomValues(new Uint8Array(16)))
  const exp = Math.floor(now / 1000) + (opts.ttlSeconds ?? LOGIN_LINK_TTL_SECONDS)
  return seal(secret, 'login', { nonce, exp, ...(opts.as ? { as: opts.as } : {}) })
}

/**
 * Whom a genuine code names (a second person for a two-person flow, locally), or undefined for
 * the default identity. Only a code sealed with the login secret gets here.
 */
export async function loginIdentity(
  secret: string,
  code: string,
): Promise<LinkIdentity | undefined> {
  const payload = (await unseal(secret, 'login', code)) as { as?: unknown } | undefined
  const as = payload?.as as { name?: unknown; role?: unknown } | undefined
  if (typeof as?.name !== 'string' || !/^[\w.@-]{1,64}$/.test(as.name)) return undefined
  const role = CONSOLE_ROLES.find((r) => r === as.role)
  return role ? { name: as.name, role } : undefined
}

/** The nonce of a genuine, unexpired code; undefined otherwise (why is not the caller's business). */
export async function openLoginCode(
  secret: string,
  code: string,
  now: number,
): Promise<string | undefined> {
  const payload = await unseal(secret, 'login', code)
  if (typeof payload !== 'object' || payload === null) return undefined
  const { nonce, exp } = payload as { nonce?: unknown; exp?: unknown }
  if (typeof nonce !== 'string' || !/^[0-9a-f]{32}$/.test(nonce)) return undefined
  if (typeof exp !== 'number' || exp * 1000 <= now) return undefined
  return nonce
}
