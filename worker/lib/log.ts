/**
 * Structured JSON logs, one object per line, with the correlation id on every line. Keys that
 * can carry credentials are redacted wherever they appear, so a careless call can't leak one.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 }
const SECRET_KEY =
  /secret|signature|token|authorization|password|assertion|private|api[-_]?key|cookie/i

export type LogFields = Record<string, unknown>

/** Deep-copies `value` with any secret-looking key's value replaced by `[redacted]`. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1))
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value))
    out[k] = SECRET_KEY.test(k) ? '[redacted]' : redact(v, depth + 1)
  return out
}

export interface Logger {
  debug(msg: string, fields?: LogFields): void
  info(msg: string, fields?: LogFields): void
  warn(msg: string, fields?: LogFields): void
  error(msg: string, fields?: LogFields): void
  /** A logger whose every line also carries `fields` (e.g. `correlationId`). */
  with(fields: LogFields): Logger
}

export function createLogger(base: LogFields = {}, minLevel: LogLevel = 'info'): Logger {
  const emit = (level: LogLevel, msg: string, fields?: LogFields) => {
    if (RANK[level] < RANK[minLevel]) return
    const line = JSON.stringify(
      redact({ level, msg, time: new Date().toISOString(), ...base, ...fields }),
    )
    if (level === 'error') console.error(line)
    else if (level === 'warn') console.warn(line)
    else console.log(line)
  }
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    with: (fields) => createLogger({ ...base, ...fields }, minLevel),
  }
}

/** Error fields fit for a log line: name, message, internal detail, stack. */
export function errorFields(err: unknown): LogFields {
  if (!(err instanceof Error)) return { error: String(err) }
  const internal = (err as { internalMessage?: unknown }).internalMessage
  return {
    errorName: err.name,
    errorMessage: err.message,
    internalMessage: internal,
    stack: err.stack,
  }
}
