import { kindOf, type FailureCategory, type FailureKind } from './errors.ts'

/** What a connector read from a failed vendor call; every field but `system` is optional. */
export interface FailureFacts {
  /** `stripe`, `salesforce`, `netsuite`; any other system gets the generic HTTP rules. */
  system: string
  status?: number
  /**
   * The vendor's error code, or every code of an answer listing several (NetSuite's
   * `o:errorDetails`): any one that is worth retrying makes the failure worth retrying.
   */
  vendorCode?: string | readonly string[]
  /** The vendor's message, for codes that wrap the real cause (Salesforce triggers). */
  vendorMessage?: string
  retryAfterMs?: number
  /** The call never got an answer (network failure, timeout). */
  network?: boolean
  /** The vendor's own verdict when it gives one (`Stripe-Should-Retry`); it beats the status. */
  vendorSaysRetry?: boolean
  /** The answer is a stored outcome replayed for an idempotency key (`Idempotent-Replayed`). */
  replayed?: boolean
}

type RetryCategory = Extract<FailureCategory, 'transient' | 'rate_limited' | 'auth'>

interface VendorRules {
  /** Codes worth retrying, by what they mean. */
  retryCodes: Readonly<Record<string, RetryCategory>>
  /** Whether a retry code alone makes a failure retryable, or only names the category. */
  codesDecide: boolean
  /** Codes that say the request we built is malformed. */
  badRequestCodes: ReadonlySet<string>
  /** Statuses that mean our credentials were refused, whatever the body says. */
  authStatuses: ReadonlySet<number>
  retryStatus(status: number): boolean
}

/** Bare statuses every vendor retries: timeout, too early, too many requests, server errors. */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500
}

/**
 * Stripe decides by status and `Stripe-Should-Retry`, never by code; codes only name the
 * category. 409 is `idempotency_key_in_use` (the first request is still running); 401/403 mean
 * our key is wrong or lacks a permission. https://docs.stripe.com/error-handling,
 * https://docs.stripe.com/rate-limits#object-lock-timeouts
 */
const STRIPE: VendorRules = {
  retryCodes: { lock_timeout: 'transient', rate_limit: 'rate_limited' },
  codesDecide: false,
  badRequestCodes: new Set([
    'parameter_unknown',
    'parameter_missing',
    'parameter_invalid_empty',
    'parameter_invalid_integer',
    'parameter_invalid_string_empty',
    'parameters_exclusive',
  ]),
  authStatuses: new Set([401, 403]),
  retryStatus: (status) => status === 409 || status === 429 || status >= 500,
}

/**
 * Salesforce codes that clear on their own, so the same request may succeed later.
 * https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_concepts_core_data_objects.htm#statuscode
 *
 * - `UNABLE_TO_LOCK_ROW`: another transaction holds the row (Apex, a flow, another writer).
 * - `REQUEST_LIMIT_EXCEEDED`: the org's rolling 24 h allocation or a concurrency limit is spent.
 * - `SERVER_UNAVAILABLE`, `QUERY_TIMEOUT`, `REQUEST_RUNNING_TOO_LONG`: load or maintenance.
 * - `UNKNOWN_EXCEPTION`: Salesforce's own internal error. Counted transient: it says nothing
 *   about our data, and in practice it comes from platform hiccups. It *can* be deterministic
 *   (a broken trigger or package), which is why every caller bounds its retries (`decide`
 *   parks after `maxAttempts`).
 * - `INVALID_SESSION_ID`: only reaches a caller when a freshly minted token was refused too.
 * - `PROCESSING_HALTED`, `ALL_OR_NONE_OPERATION_ROLLED_BACK`: this record was fine but was
 *   rolled back or skipped because of another one; sending it again can succeed.
 * - `salesforce_auth_failed`: the token endpoint refused us (revoked app, key rotated, user not
 *   pre-authorized). An operator fixes that outside the record, so items wait rather than
 *   being refused, and bounded callers still park after their attempts.
 *
 * Everything else (validation rules, picklists, lengths, unknown fields, bad or deleted
 * lookups, duplicates, access) is business: the same request will be refused again.
 */
const SALESFORCE: VendorRules = {
  retryCodes: {
    UNABLE_TO_LOCK_ROW: 'transient',
    REQUEST_LIMIT_EXCEEDED: 'rate_limited',
    SERVER_UNAVAILABLE: 'transient',
    QUERY_TIMEOUT: 'transient',
    REQUEST_RUNNING_TOO_LONG: 'transient',
    UNKNOWN_EXCEPTION: 'transient',
    INVALID_SESSION_ID: 'auth',
    PROCESSING_HALTED: 'transient',
    ALL_OR_NONE_OPERATION_ROLLED_BACK: 'transient',
    salesforce_auth_failed: 'auth',
    timeout: 'transient',
    network_error: 'transient',
  },
  codesDecide: true,
  badRequestCodes: new Set([
    'MALFORMED_QUERY',
    'INVALID_TYPE',
    'JSON_PARSER_ERROR',
    'METHOD_NOT_ALLOWED',
    'INVALID_QUERY_FILTER_OPERATOR',
  ]),
  authStatuses: new Set(),
  retryStatus: isTransientStatus,
}

/**
 * NetSuite codes that mean "not now" even with a 400 (RESTlets answer concurrency this way).
 * 401 is counted as our login refused: a re-mint was already tried, and NetSuite is reported to
 * answer 401 for over-limit TBA calls too, so it waits rather than refusing the item.
 * https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_156570709583.html
 */
const NETSUITE: VendorRules = {
  retryCodes: {
    SSS_REQUEST_LIMIT_EXCEEDED: 'rate_limited',
    CONCURRENCY_LIMIT_EXCEEDED: 'rate_limited',
    WS_REQUEST_BLOCKED: 'rate_limited',
    WS_CONCUR_SESSION_DISALLWD: 'rate_limited',
    // Optimistic locking: someone saved the record between our read and write.
    RCRD_HAS_BEEN_CHANGED: 'transient',
  },
  codesDecide: true,
  badRequestCodes: new Set(['INVALID_PARAMETER']),
  authStatuses: new Set([401]),
  retryStatus: isTransientStatus,
}

const GENERIC: VendorRules = {
  retryCodes: {},
  codesDecide: true,
  badRequestCodes: new Set(),
  authStatuses: new Set(),
  retryStatus: isTransientStatus,
}

const RULES: Readonly<Record<string, VendorRules>> = {
  stripe: STRIPE,
  salesforce: SALESFORCE,
  netsuite: NETSUITE,
}

/** A trigger that hit a lock reports CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY wrapping the cause. */
function unwrap(system: string, code: string, message = ''): string {
  return system === 'salesforce' &&
    code === 'CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY' &&
    message.includes('UNABLE_TO_LOCK_ROW')
    ? 'UNABLE_TO_LOCK_ROW'
    : code
}

function codesOf(facts: FailureFacts): string[] {
  const raw = facts.vendorCode === undefined ? [] : [facts.vendorCode].flat()
  return raw.map((code) => unwrap(facts.system, code, facts.vendorMessage))
}

/**
 * The one classifier: what a failed vendor call means, from its status, vendor code(s),
 * `Retry-After` and vendor hints. Precedence: no answer → transient; a status that means our
 * credentials → auth; a replayed 5xx → business (retrying the same key can only replay it, and
 * whether the first request took effect is unknown: a human looks); the vendor's own verdict;
 * then a retry code (where the vendor's codes decide) or a retry status; else refused, as
 * bad_request when the code says we built the request wrong.
 */
export function classify(facts: FailureFacts): { category: FailureCategory; kind: FailureKind } {
  const category = categorize(facts)
  return { category, kind: kindOf(category) }
}

function categorize(facts: FailureFacts): FailureCategory {
  const rules = RULES[facts.system] ?? GENERIC
  const { status } = facts
  const codes = codesOf(facts)
  const retryCode = codes.map((c) => rules.retryCodes[c]).find((c) => c !== undefined)
  const refused: FailureCategory = codes.some((c) => rules.badRequestCodes.has(c))
    ? 'bad_request'
    : 'business'
  if (facts.network) return retryCode ?? 'transient'
  if (status !== undefined && rules.authStatuses.has(status)) return 'auth'
  if (facts.replayed && status !== undefined && status >= 500) return 'business'
  const byStatus = status !== undefined && rules.retryStatus(status)
  const retryable = facts.vendorSaysRetry ?? (byStatus || (rules.codesDecide && !!retryCode))
  if (!retryable) return refused
  return retryCode ?? (status === 429 ? 'rate_limited' : 'transient')
}
