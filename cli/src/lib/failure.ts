import { SfError } from '@salesforce/core'

/** What an admin needs from a failure: what was being done, what the other side said, what next. */
export interface FailureParts {
  doing: string
  said: string
  next: string[]
  /** A stable name for scripts (`--json` shows it as `name`). */
  code?: string
}

/**
 * An error an admin can act on: "<doing> failed: <said>", with the next steps as the actions
 * `sf` prints under "Try this:". Secrets are scrubbed from every part first.
 */
export function failure(parts: FailureParts, secrets: Array<string | undefined> = []): SfError {
  const clean = (s: string) => redact(s, secrets)
  return new SfError(
    `${clean(parts.doing)} failed: ${clean(parts.said)}`,
    parts.code ?? 'ConcordFailure',
    parts.next.map(clean),
    1,
  )
}

/** Replaces every occurrence of each secret (≥ 6 characters) with a short redaction mark. */
export function redact(text: string, secrets: Array<string | undefined>): string {
  let out = text
  for (const s of secrets) if (s && s.length >= 6) out = out.split(s).join('[redacted]')
  return out
}

/** A thrown value's message, whatever was thrown. */
export function messageOf(err: unknown): string {
  if (err instanceof Error) {
    const cause = err.cause instanceof Error ? ` (${err.cause.message})` : ''
    return `${err.message}${cause}`
  }
  return String(err)
}
