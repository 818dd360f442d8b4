import * as z from 'zod/mini'
import { Amendment } from './amendment.ts'
import './zod-messages.ts'

const nullable = <T extends z.ZodMiniType>(schema: T) =>
  z.pipe(
    z.nullish(schema),
    z.transform((v: z.output<T> | null | undefined) => v ?? undefined),
  )
/**
 * Salesforce writes DateTimes as `2026-11-20T15:04:11.000+0000` (Apex JSON) or with `Z`
 * (REST, CometD); both become ISO-8601 UTC.
 */
export const SalesforceDateTime = z.pipe(
  z
    .string()
    .check(
      z.regex(
        /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:?\d{2})$/,
        'must be a date-time like 2026-11-20T15:04:11.000+0000',
      ),
    ),
  z.transform((v: string, ctx) => {
    const ms = Date.parse(v.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'))
    if (Number.isNaN(ms)) {
      ctx.issues.push({ code: 'custom', message: 'is not a real date-time', input: v })
      return z.NEVER
    }
    return new Date(ms).toISOString()
  }),
)

/** Salesforce serializes Number(18,0) fields as JSON numbers, sometimes with a `.0`. */
const wholeNumber = z.number().check(z.refine(Number.isInteger, 'must be a whole number'))

/**
 * `Subscription_Amendment__e` as Salesforce serializes it (Apex `JSON.serialize` of the event,
 * or the CometD `payload`): custom fields by API name, empty fields as `null`, plus the
 * standard `EventUuid`, `ReplayId`, `CreatedDate` and `CreatedById`.
 */
export const SubscriptionAmendmentEvent = z.object({
  EventUuid: z.uuid(),
  ReplayId: nullable(z.pipe(z.union([z.string(), z.number()]), z.transform(String))),
  CreatedDate: SalesforceDateTime,
  CreatedById: nullable(z.string()),
  Account_Id__c: z.string(),
  Subscription_Key__c: z.string(),
  Sequence__c: wholeNumber,
  Action__c: z.string(),
  Price_Key__c: nullable(z.string()),
  Quantity__c: nullable(wholeNumber),
  Effective_Date__c: nullable(z.string()),
  Proration__c: nullable(z.string()),
  Proration_Date__c: nullable(wholeNumber),
  Preview_Token__c: nullable(z.string()),
  Cancel_Mode__c: nullable(z.string()),
  Correlation_Id__c: z.string(),
  Requested_By__c: nullable(z.string()),
  Activation_Rule__c: nullable(z.string()),
})
export type SubscriptionAmendmentEvent = z.infer<typeof SubscriptionAmendmentEvent>

/** Canonical field → the event field an admin sees, so every error names the field they know. */
const WIRE_NAME: Record<string, string> = {
  id: 'EventUuid',
  accountId: 'Account_Id__c',
  subscriptionKey: 'Subscription_Key__c',
  sequence: 'Sequence__c',
  action: 'Action__c',
  priceKey: 'Price_Key__c',
  quantity: 'Quantity__c',
  effectiveDate: 'Effective_Date__c',
  proration: 'Proration__c',
  prorationDate: 'Proration_Date__c',
  previewToken: 'Preview_Token__c',
  cancelMode: 'Cancel_Mode__c',
  correlationId: 'Correlation_Id__c',
  requestedBy: 'Requested_By__c',
  createdAt: 'CreatedDate',
  replayId: 'ReplayId',
  activationRule: 'Activation_Rule__c',
}

/** One reason an event was refused: the field (by its Salesforce API name) and why. */
export const FieldError = z.object({ field: z.string(), message: z.string() })
export type FieldError = z.infer<typeof FieldError>

export type ParseResult = { ok: true; amendment: Amendment } | { ok: false; errors: FieldError[] }

function toFieldErrors(
  issues: readonly z.core.$ZodIssue[],
  rename: (path: string) => string,
): FieldError[] {
  return issues.map((issue) => {
    const path = issue.path.map(String).join('.')
    const message =
      issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message
    return { field: path ? rename(path) : '(event)', message }
  })
}

/**
 * Validates one raw event and maps it to the canonical amendment. Never throws: a bad event
 * comes back with every problem named by field, for the quarantine and the caller.
 */
export function amendmentFromEvent(raw: unknown): ParseResult {
  const wire = SubscriptionAmendmentEvent.safeParse(raw)
  if (!wire.success) return { ok: false, errors: toFieldErrors(wire.error.issues, (p) => p) }
  const e = wire.data
  const candidate = {
    id: e.EventUuid,
    accountId: e.Account_Id__c,
    subscriptionKey: e.Subscription_Key__c,
    sequence: e.Sequence__c,
    action: e.Action__c,
    priceKey: e.Price_Key__c,
    quantity: e.Quantity__c,
    effectiveDate: e.Effective_Date__c,
    proration: e.Proration__c,
    prorationDate: e.Proration_Date__c,
    previewToken: e.Preview_Token__c,
    cancelMode: e.Cancel_Mode__c,
    correlationId: e.Correlation_Id__c,
    requestedBy: e.Requested_By__c,
    createdAt: e.CreatedDate,
    replayId: e.ReplayId,
    activationRule: e.Activation_Rule__c,
  }
  const parsed = Amendment.safeParse(candidate)
  if (!parsed.success) {
    return { ok: false, errors: toFieldErrors(parsed.error.issues, (p) => WIRE_NAME[p] ?? p) }
  }
  return { ok: true, amendment: parsed.data }
}

/** Best-effort identity of a raw event for the quarantine, even when it is malformed. */
export function describeRawEvent(raw: unknown): { eventUuid?: string; accountId?: string } {
  if (typeof raw !== 'object' || raw === null) return {}
  const r = raw as Record<string, unknown>
  return {
    eventUuid: typeof r.EventUuid === 'string' ? r.EventUuid.slice(0, 64) : undefined,
    accountId: typeof r.Account_Id__c === 'string' ? r.Account_Id__c.slice(0, 18) : undefined,
  }
}
