import * as z from 'zod/mini'

/** Salesforce keeps platform events 72 hours: a catch-up cursor older than that may have lost some. */
export const EVENT_RETENTION_HOURS = 72

/** One recent failure, as an admin may see it: where, when and the stable code, never the detail. */
export const SetupError = z.object({
  source: z.enum(['catch_up', 'writer']),
  at: z.string(),
  code: z.string(),
})
export type SetupError = z.infer<typeof SetupError>

/**
 * Answer of `GET /v1/salesforce/status` (signed like every call from Salesforce): what the
 * "Concord Setup" page shows beside the relay's own figures, which it reads from
 * `Subscription_Sync__c` in the org. Counts and times only: no message, record or vendor detail.
 */
export const SetupStatus = z.object({
  checkedAt: z.string(),
  catchUp: z.nullable(
    z.object({
      health: z.enum(['ok', 'failing', 'gap', 'never_run']),
      lastSuccessAt: z.optional(z.string()),
      /** Hours since the last successful run, when the cursor was last known current. */
      cursorAgeHours: z.optional(z.number()),
      retentionHours: z.literal(EVENT_RETENTION_HOURS),
      consecutiveFailures: z.number(),
    }),
  ),
  writer: z.nullable(z.object({ pending: z.number(), parked: z.number() })),
  parkedAmendments: z.nullable(z.number()),
  quarantined: z.nullable(z.number()),
  errors: z.array(SetupError),
})
export type SetupStatus = z.infer<typeof SetupStatus>

/**
 * Answer of `GET /v1/salesforce/ping` (signed like every call from Salesforce): what the worker
 * saw of the signature, so `sf concord doctor` can prove the whole path from Salesforce. Which of
 * the worker's secrets matched (`previous` during a rotation) and the sender's clock skew; never
 * a secret, a signature or a hash of one.
 */
export const SignedPing = z.object({
  ok: z.literal(true),
  key: z.enum(['current', 'previous']),
  /** The worker's clock minus X-Concord-Timestamp, in seconds (positive: Salesforce is behind). */
  skewSeconds: z.number(),
  /** How far the timestamp may be from the worker's clock before a call is refused. */
  toleranceSeconds: z.number(),
  receivedAt: z.string(),
})
export type SignedPing = z.infer<typeof SignedPing>
