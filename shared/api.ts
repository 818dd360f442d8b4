import * as z from 'zod/mini'
import { FieldError } from './salesforce-event.ts'
import './zod-messages.ts'

/** Body of `POST /v1/salesforce/events`. Items stay `unknown` so one bad event can't sink the batch. */
export const SalesforceEventBatch = z.object({
  events: z.array(z.unknown()).check(z.minLength(1, 'must hold at least one event')),
})
export const MAX_EVENTS_PER_BATCH = 2000

/** What became of one event of a batch, in the order sent. */
export const EventResult = z.discriminatedUnion('status', [
  z.object({ index: z.number(), eventUuid: z.string(), status: z.literal('queued') }),
  z.object({ index: z.number(), eventUuid: z.string(), status: z.literal('duplicate') }),
  z.object({
    index: z.number(),
    eventUuid: z.optional(z.string()),
    status: z.literal('rejected'),
    quarantineId: z.string(),
    errors: z.array(FieldError),
  }),
  z.object({
    index: z.number(),
    eventUuid: z.string(),
    status: z.literal('failed'),
    retryable: z.literal(true),
  }),
])
export type EventResult = z.infer<typeof EventResult>

export const IntakeResponse = z.object({
  requestId: z.string(),
  counts: z.record(z.string(), z.number()),
  results: z.array(EventResult),
})
export type IntakeResponse = z.infer<typeof IntakeResponse>

/** Every error answer of the worker. `message` is safe to show; internals stay in the logs. */
export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    requestId: z.string(),
    details: z.optional(z.unknown()),
  }),
})
export type ErrorBody = z.infer<typeof ErrorBody>
