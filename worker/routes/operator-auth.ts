import type { MiddlewareHandler } from 'hono'
import { ForbiddenError, UnauthorizedError } from '../errors.ts'
import { constantTimeEqual, sha256Hex } from '../lib/hmac.ts'
import type { AppEnv } from './context.ts'

const RANK = { viewer: 1, operator: 2 } as const

/**
 * Requires `Authorization: Bearer <token>` whose SHA-256 is in OPERATOR_TOKENS with at least
 * `role` (operators may do all viewers may). The config holds only hashes, so a leaked config
 * grants nothing; the token's name becomes the actor on every audit line.
 */
export function requireRole(role: keyof typeof RANK): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? ''
    const match = /^Bearer\s+(\S+)$/i.exec(header)
    if (!match?.[1])
      throw new UnauthorizedError('Send an operator token as "Authorization: Bearer <token>".')
    const hash = await sha256Hex(match[1])
    let found: { name: string; role: keyof typeof RANK } | undefined
    for (const t of c.get('config').operatorTokens) if (constantTimeEqual(t.sha256, hash)) found = t
    if (!found) throw new UnauthorizedError('Operator token not recognised.')
    if (RANK[found.role] < RANK[role])
      throw new ForbiddenError(`This needs the ${role} role; the token has ${found.role}.`)
    c.set('actor', found.name)
    await next()
  }
}
