import type { MiddlewareHandler } from 'hono'
import { hasRole, type ConsoleRole } from '../console/roles.ts'
import { ForbiddenError, UnauthorizedError } from '../errors.ts'
import { constantTimeEqual, sha256Hex } from '../lib/hmac.ts'
import type { AppEnv } from './context.ts'

/**
 * Requires `Authorization: Bearer <token>` whose SHA-256 is in OPERATOR_TOKENS with at least
 * `role` (roles as in the console: viewer < operator < approver < admin). The config holds only
 * hashes, so a leaked config grants nothing; the token's name becomes the actor on every audit
 * line and its role the one the two-person rules check.
 */
export function requireRole(role: ConsoleRole): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? ''
    const match = /^Bearer\s+(\S+)$/i.exec(header)
    if (!match?.[1])
      throw new UnauthorizedError('Send an operator token as "Authorization: Bearer <token>".')
    const hash = await sha256Hex(match[1])
    let found: { name: string; role: ConsoleRole } | undefined
    for (const t of c.get('config').operatorTokens) if (constantTimeEqual(t.sha256, hash)) found = t
    if (!found) throw new UnauthorizedError('Operator token not recognised.')
    if (!hasRole(found.role, role))
      throw new ForbiddenError(`This needs the ${role} role; the token has ${found.role}.`)
    c.set('actor', found.name)
    c.set('role', found.role)
    await next()
  }
}
