import * as z from 'zod/mini'
import { AccountId, ACTIVATION_RULES, UserId } from '../../../shared/index.ts'
import type { RouteContract } from './route-contract.ts'

/** A subscription key as Salesforce keeps it (`Subscription_Key__c`, at most 80 characters). */
const SubscriptionKey = z.string().check(z.trim(), z.minLength(1), z.maxLength(80))

/** `POST /v1/activations`: activate a subscription whose rule is `manual` (README, "Activation"). */
export const ActivationInput = z.object({ accountId: AccountId, subscriptionKey: SubscriptionKey })

/**
 * `POST /v1/salesforce/activations` (signed by Apex, `ConcordActivationController`): the same
 * request from the subscription's page, on behalf of the Salesforce user named, who must hold the
 * `Concord_Activate_Subscriptions` custom permission (Apex checks it).
 */
export const SalesforceActivationInput = z.object({
  accountId: AccountId,
  subscriptionKey: SubscriptionKey,
  requestedBy: UserId,
})

export const ActivationParams = z.object({
  accountId: AccountId,
  subscriptionKey: SubscriptionKey,
})

const Delivery = z.object({
  channel: z.enum(['salesforce', 'webhook']),
  state: z.enum(['pending', 'parked', 'sent']),
  attempts: z.number(),
  lastError: z.optional(z.string()),
})

/** One subscription's activation and where its deliveries stand. */
export const ActivationSchema = z.object({
  subscriptionKey: z.string(),
  rule: z.enum(ACTIVATION_RULES),
  correlationId: z.string(),
  billingSubscriptionId: z.optional(z.string()),
  requestedBy: z.optional(z.string()),
  requestedAt: z.optional(z.string()),
  activatedAt: z.optional(z.string()),
  activationId: z.optional(z.string()),
  deliveries: z.array(Delivery),
})

export const ActivationAnswer = z.object({
  status: z.enum(['requested', 'already_requested', 'already_activated', 'redelivering']),
  activation: ActivationSchema,
})

export const ACTIVATION_ROUTES: RouteContract[] = [
  {
    method: 'post',
    path: '/v1/activations',
    summary:
      'Activate a subscription whose rule is manual (409 not_in_billing before billing has it, not_manual for another rule); for an activated one, send a parked webhook again',
    tag: 'operator',
    auth: 'operator',
    body: ActivationInput,
    ok: { status: 202, body: ActivationAnswer, description: 'Recorded; the ledger activates it' },
  },
  {
    method: 'post',
    path: '/v1/salesforce/activations',
    summary:
      'The same from Salesforce, for one of its users (signed by Apex); recorded as requested by salesforce:<user id>',
    tag: 'intake',
    auth: 'salesforce',
    body: SalesforceActivationInput,
    ok: { status: 202, body: ActivationAnswer, description: 'Recorded; the ledger activates it' },
  },
  {
    method: 'get',
    path: '/v1/activations/{accountId}/{subscriptionKey}',
    summary: "A subscription's activation rule, time and deliveries",
    tag: 'operator',
    auth: 'viewer',
    params: ActivationParams,
    ok: { status: 200, body: ActivationSchema, description: 'The activation' },
  },
]
