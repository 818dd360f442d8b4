import * as z from 'zod/mini'
import { ConfigError } from '../errors.ts'
import type { AlertWebhook, Section } from './types.ts'

/** The variables as the worker got them (vars and secrets by name). */
export type Vars = Record<string, unknown>

/** Each problem as `<VARIABLE>: <what is wrong>`, never the value (it may be a secret). */
export const problemsOf = (error: z.core.$ZodError): string[] =>
  error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)

/**
 * `schema` parsed from `env`.
 * @throws ConfigError `invalid <what>: ` and every problem.
 */
export function parseOrThrow<T extends z.core.$ZodType>(
  schema: T,
  env: Vars,
  what: string,
): z.output<T> {
  const parsed = z.safeParse(schema, env)
  if (parsed.success) return parsed.data
  throw new ConfigError(`invalid ${what}: ${problemsOf(parsed.error).join('; ')}`)
}

/** A whole number from `min` to `max` given as a string, `fallback` when unset. */
export const wholeNumber = (fallback: number, min: number, max: number) =>
  z._default(
    z.pipe(
      z.string(),
      z.transform((v, ctx) => {
        const n = Number(v)
        if (!Number.isInteger(n) || n < min || n > max) {
          ctx.issues.push({
            code: 'custom',
            input: v,
            message: `must be a whole number from ${min} to ${max}`,
          })
          return z.NEVER
        }
        return n
      }),
    ),
    fallback,
  )

/**
 * A signed webhook's section: absent when neither variable is set; invalid (named, never the
 * secret's value) when half set or malformed.
 */
export function webhookSection(env: Vars, url: string, secret: string): Section<AlertWebhook> {
  const set = [url, secret].filter((k) => typeof env[k] === 'string' && env[k].trim() !== '')
  if (set.length === 0) return { status: 'absent' }
  const schema = z.object({
    [url]: z.url({ protocol: /^https?$/ }),
    [secret]: z.string().check(z.minLength(32, 'must be at least 32 characters')),
  })
  const parsed = z.safeParse(schema, env)
  if (!parsed.success) return { status: 'invalid', problems: problemsOf(parsed.error) }
  return {
    status: 'ok',
    settings: { url: parsed.data[url] ?? '', secret: parsed.data[secret] ?? '' },
  }
}
