/** `Retry-After` for a retryable error that carries no hint of its own. */
const DEFAULT_RETRY_AFTER_MS = 5_000

/**
 * The one error hierarchy. `message` is safe to show a caller; `internalMessage` goes only to
 * logs. `app.onError` is the only place one becomes a response, with `Retry-After` when the
 * error is `retryable` (the caller may send the same request again later). Each class names
 * itself (`name`, in logs): the deploy bundle is minified without keeping function names.
 */
export class AppError extends Error {
  override readonly name: string = 'AppError'

  readonly code: string
  readonly status: number
  readonly retryable: boolean
  /** For a retryable error: how long the caller should wait (`Retry-After`), when known. */
  readonly retryAfterMs?: number
  readonly internalMessage?: string
  readonly details?: unknown

  constructor(opts: {
    code: string
    status: number
    message: string
    retryable?: boolean
    retryAfterMs?: number
    internalMessage?: string
    details?: unknown
  }) {
    super(opts.message)
    this.code = opts.code
    this.status = opts.status
    this.retryable = opts.retryable ?? false
    this.retryAfterMs = opts.retryAfterMs
    this.internalMessage = opts.internalMessage
    this.details = opts.details
  }

  /** The `Retry-After` value (whole seconds, rounded up) of a retryable error, else undefined. */
  get retryAfter(): string | undefined {
    if (!this.retryable) return undefined
    return String(Math.ceil((this.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS) / 1000))
  }
}

export class ValidationError extends AppError {
  override readonly name: string = 'ValidationError'

  constructor(message: string, details?: unknown) {
    super({ code: 'invalid_request', status: 400, message, details })
  }
}

export class UnauthorizedError extends AppError {
  override readonly name: string = 'UnauthorizedError'

  constructor(message = 'Authentication failed.', internalMessage?: string) {
    super({ code: 'unauthorized', status: 401, message, internalMessage })
  }
}

export class ForbiddenError extends AppError {
  override readonly name: string = 'ForbiddenError'

  constructor(message = 'This token may not do that.') {
    super({ code: 'forbidden', status: 403, message })
  }
}

export class NotFoundError extends AppError {
  override readonly name: string = 'NotFoundError'

  constructor(what: string) {
    super({ code: 'not_found', status: 404, message: `${what} was not found.` })
  }
}

export class ConflictError extends AppError {
  override readonly name: string = 'ConflictError'

  constructor(message: string) {
    super({ code: 'conflict', status: 409, message })
  }
}

export class PayloadTooLargeError extends AppError {
  override readonly name: string = 'PayloadTooLargeError'

  constructor(message: string) {
    super({ code: 'payload_too_large', status: 413, message })
  }
}

export class UnavailableError extends AppError {
  override readonly name: string = 'UnavailableError'

  constructor(message: string, internalMessage?: string, retryAfterMs?: number) {
    super({
      code: 'unavailable',
      status: 503,
      message,
      retryable: true,
      retryAfterMs,
      internalMessage,
    })
  }
}

/** The worker's configuration is wrong: an operator must fix it, callers learn only that. */
export class ConfigError extends AppError {
  override readonly name: string = 'ConfigError'

  constructor(internalMessage: string) {
    super({
      code: 'misconfigured',
      status: 500,
      message: 'The service is misconfigured.',
      internalMessage,
    })
  }
}

/** A signed request that was already let through once, sent again. */
export class ReplayedRequestError extends AppError {
  override readonly name: string = 'ReplayedRequestError'

  constructor() {
    super({
      code: 'replayed_request',
      status: 409,
      message:
        'This signed request was already received. Each request needs its own timestamp, nonce and signature.',
    })
  }
}
