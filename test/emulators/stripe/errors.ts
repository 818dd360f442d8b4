/** The `error` object of a Stripe error response (https://docs.stripe.com/api/errors). */
export interface StripeErrorBody {
  type: 'api_error' | 'card_error' | 'idempotency_error' | 'invalid_request_error'
  message: string
  code?: string
  param?: string
  doc_url?: string
  decline_code?: string
  /** On card errors: the failed charge. */
  charge?: string
}

/**
 * A Stripe-shaped failure thrown by handlers and turned into a response by the pipeline.
 * Errors raised before execution (validation, lock conflicts) are never stored under an
 * idempotency key, as Stripe documents.
 */
export class StripeError extends Error {
  readonly status: number
  readonly body: StripeErrorBody
  readonly headers: Record<string, string>

  constructor(status: number, body: StripeErrorBody, headers: Record<string, string> = {}) {
    super(body.message)
    this.status = status
    this.body = body
    this.headers = headers
  }
}

const docUrl = (code: string) => `https://stripe.com/docs/error-codes/${code.replaceAll('_', '-')}`

/** 400 `invalid_request_error`, optionally naming the offending parameter. */
export function invalidRequest(message: string, param?: string, code?: string): StripeError {
  return new StripeError(400, {
    type: 'invalid_request_error',
    message,
    ...(code ? { code, doc_url: docUrl(code) } : {}),
    ...(param ? { param } : {}),
  })
}

/**
 * `resource_missing`, worded like Stripe: `No such customer: 'cus_x'`. An object named in the URL
 * (`param` `id`) answers 404; one named in a request parameter answers 400, naming the parameter.
 */
export function resourceMissing(kind: string, id: string, param = 'id'): StripeError {
  return new StripeError(param === 'id' ? 404 : 400, {
    type: 'invalid_request_error',
    code: 'resource_missing',
    doc_url: docUrl('resource_missing'),
    message: `No such ${kind}: '${id}'`,
    param,
  })
}

/**
 * 400 for a parameter `from_subscription` excludes: Stripe takes no other parameter beside it
 * ("You cannot set `metadata` if `from_subscription` is set.").
 * https://docs.stripe.com/api/subscription_schedules/create#create_subscription_schedule-from_subscription
 */
export function notWithFromSubscription(name: string): StripeError {
  return invalidRequest(
    `You cannot set \`${name}\` if \`from_subscription\` is set.`,
    name,
    'parameter_unknown',
  )
}

/** 400 for a parameter the endpoint does not take. */
export function unknownParameter(name: string): StripeError {
  return invalidRequest(`Received unknown parameter: ${name}`, name, 'parameter_unknown')
}

/** 401 for a missing or wrong secret key. */
export function authError(key: string | undefined): StripeError {
  const message = key
    ? `Invalid API Key provided: ${key.slice(0, 8)}${'*'.repeat(Math.max(0, key.length - 12))}${key.slice(-4)}`
    : "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/."
  return new StripeError(
    401,
    { type: 'invalid_request_error', message },
    { 'www-authenticate': 'Bearer realm="Stripe"' },
  )
}

/** 429 `lock_timeout`: another request holds the object. Stripe marks it safe to retry. */
export function lockTimeout(): StripeError {
  return new StripeError(
    429,
    {
      type: 'invalid_request_error',
      code: 'lock_timeout',
      doc_url: docUrl('lock_timeout'),
      message:
        'This object cannot be accessed right now because another API request or Stripe process is currently accessing it. If you see this error intermittently, retry the request. If you see this error frequently and are making multiple concurrent requests to a single object, make your requests serially or at a lower rate. See https://stripe.com/docs/rate-limits for more details.',
    },
    { 'stripe-should-retry': 'true' },
  )
}

/** The body Stripe answers for a status the fault kit injects. */
export function faultBody(status: number): { error: StripeErrorBody } {
  if (status === 429) {
    return {
      error: {
        type: 'invalid_request_error',
        code: 'rate_limit',
        doc_url: docUrl('rate_limit'),
        message:
          'Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.',
      },
    }
  }
  if (status === 404) {
    return {
      error: {
        type: 'invalid_request_error',
        message:
          'Unrecognized request URL. Please see https://stripe.com/docs or we can help at https://support.stripe.com/.',
      },
    }
  }
  if (status === 409) {
    return {
      error: {
        type: 'invalid_request_error',
        code: 'lock_timeout',
        message: 'Conflict with a concurrent request.',
      },
    }
  }
  if (status >= 500) {
    return {
      error: {
        type: 'api_error',
        message:
          status === 503
            ? 'Stripe is temporarily unavailable. Please try again.'
            : 'An unknown error occurred',
      },
    }
  }
  return {
    error: { type: 'invalid_request_error', message: `Request failed with status ${status}.` },
  }
}
