import * as z from 'zod/mini'

/**
 * Inputs of the account-change routes (issue 13.5), apart from the routes so the OpenAPI
 * generator (`contract/`) can read them without the runtime the routes need.
 */

/** An operator's answer to `ambiguous_customer`: the customer to link, in Stripe or NetSuite. */
export const CustomerLinkInput = z.object({
  system: z.enum(['stripe', 'netsuite']),
  customerId: z
    .string()
    .check(z.trim(), z.minLength(1), z.maxLength(64), z.regex(/^[A-Za-z0-9_]+$/, 'a customer id')),
  reason: z.optional(z.string().check(z.trim(), z.maxLength(500))),
})

export const CustomerLinkResponse = z.object({
  system: z.enum(['stripe', 'netsuite']),
  customerId: z.string(),
  /** The amendments parked on the ambiguity that now run again. */
  retried: z.array(z.string()),
  /**
   * The amendments parked on the ambiguity whose retry moves money (a billing step ahead): they
   * stay parked until a governed retry (`POST /v1/actions`, kind `retry`) is approved by a second
   * person.
   */
  awaitingApproval: z.array(z.string()),
})
