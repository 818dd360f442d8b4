import * as z from 'zod/mini'
import { ValidationError } from '../errors.ts'

/**
 * Parses route input with a schema.
 * @throws ValidationError naming each field that failed (`where` when the issue has no path).
 */
export function parse<T extends z.core.$ZodType>(
  schema: T,
  input: unknown,
  where: string,
): z.output<T> {
  const result = z.safeParse(schema, input)
  if (!result.success) {
    const details = result.error.issues.map((i) => ({
      field: i.path.join('.') || where,
      message: i.message,
    }))
    throw new ValidationError(`Invalid ${where}.`, details)
  }
  return result.data
}
