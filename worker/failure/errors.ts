/**
 * What kind of failure a vendor call ended in; `classify` decides it, `decide` acts on it.
 *
 * - `transient`: not now (5xx, timeouts, network, lock timeouts); the same request can succeed.
 * - `rate_limited`: a vendor limit or concurrency cap is spent; retry no sooner than it says.
 * - `auth`: the vendor refused *our* credentials or they are misconfigured. Nothing is wrong
 *   with the item: it waits (retried, bounded) while an operator fixes the key.
 * - `business`: the vendor refused this request for what it is (validation, not found,
 *   declined); retrying it unchanged cannot help.
 * - `bad_request`: the vendor could not read the request we built (unknown parameter or
 *   field, malformed query): a defect in Concord, refused like a business failure.
 */
export type FailureCategory = 'transient' | 'rate_limited' | 'auth' | 'business' | 'bad_request'

/** The two-way split most callers need: try again later, or stop. */
export type FailureKind = 'transient' | 'business'

/** `business` for refusals (business, bad_request), `transient` for everything worth retrying. */
export function kindOf(category: FailureCategory): FailureKind {
  return category === 'business' || category === 'bad_request' ? 'business' : 'transient'
}

/** A category given only a kind: the plain one of each side. */
export function categoryOf(failure: {
  kind: FailureKind
  category?: FailureCategory
}): FailureCategory {
  return failure.category ?? (failure.kind === 'business' ? 'business' : 'transient')
}

type ConnectorErrorOptions = {
  system: string
  code: string
  message: string
  retryAfterMs?: number
  status?: number
} & (
  | { kind: FailureKind; category?: FailureCategory }
  | { kind?: FailureKind; category: FailureCategory }
)

/**
 * A classified connector failure. `category` says how to handle it (see `FailureCategory`);
 * `kind` is its two-way summary and always agrees with it (when both are given, the category
 * wins). `retryAfterMs` is the vendor's `Retry-After`, a floor for any retry. `message` is safe
 * to show an operator (connectors strip anything secret before building one).
 */
export class ConnectorError extends Error {
  readonly kind: FailureKind
  readonly category: FailureCategory
  readonly system: string
  readonly code: string
  readonly retryAfterMs?: number
  readonly status?: number

  constructor(opts: ConnectorErrorOptions) {
    super(opts.message)
    this.name = 'ConnectorError'
    this.category = opts.category ?? (opts.kind === 'business' ? 'business' : 'transient')
    this.kind = kindOf(this.category)
    this.system = opts.system
    this.code = opts.code
    this.retryAfterMs = opts.retryAfterMs
    this.status = opts.status
  }
}
