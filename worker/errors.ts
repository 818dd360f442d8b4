/**
 * The one error hierarchy. `message` is safe to show a caller; `internalMessage` goes only to
 * logs. `app.onError` is the only place one becomes a response.
 */
export class AppError extends Error {
  readonly code: string
  readonly status: number
  readonly retryable: boolean
  readonly internalMessage?: string
  readonly details?: unknown

  constructor(opts: {
    code: string
    status: number
    message: string
    retryable?: boolean
    internalMessage?: string
    details?: unknown
  }) {
    super(opts.message)
    this.name = new.target.name
    this.code = opts.code
    this.status = opts.status
    this.retryable = opts.retryable ?? false
    this.internalMessage = opts.internalMessage
    this.details = opts.details
  }
}

export class ValidationError extends AppError {
  constructor(message: string, details?: unknown) {
    super({ code: 'invalid_request', status: 400, message, details })
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'Authentication failed.', internalMessage?: string) {
    super({ code: 'unauthorized', status: 401, message, internalMessage })
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'This token may not do that.') {
    super({ code: 'forbidden', status: 403, message })
  }
}

export class NotFoundError extends AppError {
  constructor(what: string) {
    super({ code: 'not_found', status: 404, message: `${what} was not found.` })
  }
}

export class ConflictError extends AppError {
  constructor(message: string) {
    super({ code: 'conflict', status: 409, message })
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(message: string) {
    super({ code: 'payload_too_large', status: 413, message })
  }
}

export class UnavailableError extends AppError {
  constructor(message: string, internalMessage?: string) {
    super({ code: 'unavailable', status: 503, message, retryable: true, internalMessage })
  }
}

/** The worker's configuration is wrong: an operator must fix it, callers learn only that. */
export class ConfigError extends AppError {
  constructor(internalMessage: string) {
    super({
      code: 'misconfigured',
      status: 500,
      message: 'The service is misconfigured.',
      internalMessage,
    })
  }
}
