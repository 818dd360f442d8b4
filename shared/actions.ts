import * as z from 'zod/mini'

/**
 * The operator API's governed actions (`/v1/actions`): request bodies, as zod schemas the
 * worker validates with and an OpenAPI generator can collect (`ACTION_ROUTES`).
 */

const Reason = z.string().check(z.trim(), z.maxLength(500))
const Id = z.string().check(z.trim(), z.minLength(1), z.maxLength(80))

/** `POST /v1/actions`: what to do to what. Retry and skip name a parked amendment. */
export const ActionRequestInput = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('retry'), amendmentId: Id, reason: z.optional(Reason) }),
  z.object({
    kind: z.literal('skip'),
    amendmentId: Id,
    reason: Reason.check(z.minLength(3, 'say why (at least 3 characters)')),
  }),
  z.object({
    kind: z.literal('backfill'),
    accountId: z.optional(z.string().check(z.regex(/^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/))),
    reason: z.optional(Reason),
  }),
  z.object({ kind: z.literal('replay'), reason: z.optional(Reason) }),
])
export type ActionRequestInput = z.infer<typeof ActionRequestInput>

/** `POST /v1/actions/:id/approve`: nothing is needed but the approver's token. */
export const ActionApproveInput = z.object({ reason: z.optional(Reason) })
export type ActionApproveInput = z.infer<typeof ActionApproveInput>

/** `POST /v1/actions/:id/reject`: an approver says why. */
export const ActionRejectInput = z.object({
  reason: Reason.check(z.minLength(3, 'say why (at least 3 characters)')),
})
export type ActionRejectInput = z.infer<typeof ActionRejectInput>

export const ACTION_STATES = [
  'pending',
  'approved',
  'executed',
  'rejected',
  'expired',
  'superseded',
] as const

/** `GET /v1/actions?state&limit`. */
export const ActionListQuery = z.object({
  state: z.optional(z.enum(ACTION_STATES)),
  limit: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(500)), 100),
})

/** The governed-action routes with their input schemas, for the API description. */
export const ACTION_ROUTES = [
  { method: 'post', path: '/v1/actions', role: 'operator', body: ActionRequestInput },
  { method: 'get', path: '/v1/actions', role: 'viewer', query: ActionListQuery },
  { method: 'get', path: '/v1/actions/{id}', role: 'viewer' },
  { method: 'post', path: '/v1/actions/{id}/approve', role: 'approver', body: ActionApproveInput },
  { method: 'post', path: '/v1/actions/{id}/reject', role: 'approver', body: ActionRejectInput },
  { method: 'get', path: '/v1/actions/audit.csv', role: 'viewer' },
] as const
