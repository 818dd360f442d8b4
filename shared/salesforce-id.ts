import * as z from 'zod/mini'
import './zod-messages.ts'

const ID15 = /^[a-zA-Z0-9]{15}$/
const ID18 = /^[a-zA-Z0-9]{18}$/
const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345'

/**
 * Returns the case-insensitive 18-character form of a Salesforce record id. The 15- and
 * 18-character forms name the same record, so every key Concord derives from an id (the
 * ledger's Durable Object name above all) uses this form.
 * @throws Error when `id` is not a 15- or 18-character Salesforce id.
 */
export function toId18(id: string): string {
  if (ID18.test(id)) return id.slice(0, 15) + idSuffix(id.slice(0, 15))
  if (!ID15.test(id)) throw new Error(`not a Salesforce id: ${JSON.stringify(id)}`)
  return id + idSuffix(id)
}

/** The case-safe suffix of a 15-character id: one character per 5-character chunk. */
export function idSuffix(id15: string): string {
  let suffix = ''
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0
    for (let i = 0; i < 5; i++) {
      const c = id15.charCodeAt(chunk * 5 + i)
      if (c >= 65 && c <= 90) bits |= 1 << i
    }
    suffix += SUFFIX_ALPHABET[bits]
  }
  return suffix
}

/** A Salesforce record id (15 or 18 characters), normalised to 18. */
export const SalesforceId = z.pipe(
  z
    .string()
    .check(
      z.refine((v) => ID15.test(v) || ID18.test(v), 'must be a 15- or 18-character Salesforce id'),
    ),
  z.transform(toId18),
)
export type SalesforceId = z.infer<typeof SalesforceId>

/** An Account id: a Salesforce id with the Account key prefix `001`. */
export const AccountId = SalesforceId.check(
  z.refine((v) => v.startsWith('001'), 'must be an Account id (prefix 001)'),
)
export type AccountId = z.infer<typeof AccountId>

/** A Salesforce user id (`005…`): who asked, from Apex's signed call. */
export const UserId = z
  .string()
  .check(z.regex(/^005[a-zA-Z0-9]{12}(?:[a-zA-Z0-9]{3})?$/, 'must be a Salesforce user id (005…)'))
