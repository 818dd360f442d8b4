import { Hono } from 'hono/tiny'
import { AccountId } from '../../shared/index.ts'
import {
  stripeConnector,
  StripeReader,
  StripeSignatureError,
  verifyStripeSignature,
} from '../connectors/stripe/index.ts'
import { ConnectorError } from '../failure/errors.ts'
import { AppError, ValidationError } from '../errors.ts'
import { readRawBody, type AppEnv, type AppContext } from './context.ts'
import { errorFields } from '../lib/log.ts'
import { classifyStripeEvent, type StripeEventEnvelope } from '../webhooks/stripe-events.ts'

const MAX_WEBHOOK_BYTES = 1024 * 1024

async function quarantine(c: AppContext, reason: string, raw: Uint8Array): Promise<void> {
  await c.env.OPS_REGISTRY.getByName('global').quarantine([
    {
      source: 'stripe.webhook',
      requestId: c.get('requestId'),
      reasons: [{ field: '(request)', message: reason }],
      raw: new TextDecoder().decode(raw.slice(0, 8192)),
    },
  ])
}

/** Stripe's `created`: whole unix seconds after 1970 that a Date can hold. */
const isUnixSeconds = (v: unknown): v is number =>
  Number.isSafeInteger(v) && (v as number) > 0 && (v as number) <= 8.64e12

function envelope(body: unknown): StripeEventEnvelope | undefined {
  if (typeof body !== 'object' || body === null) return undefined
  const e = body as Record<string, unknown>
  const data = e.data as Record<string, unknown> | undefined
  if (typeof e.id !== 'string' || typeof e.type !== 'string' || !isUnixSeconds(e.created))
    return undefined
  if (typeof data?.object !== 'object' || data.object === null) return undefined
  return {
    id: e.id,
    type: e.type,
    created: e.created,
    data: { object: data.object as Record<string, unknown> },
  }
}

/**
 * Customer → account links seen by this isolate. A link never changes once made, so caching it
 * spares the single OpsRegistry a call on every webhook; bounded so a long-lived isolate can't grow it.
 */
const knownCustomers = new Map<string, string>()
const KNOWN_CUSTOMERS_MAX = 20_000

function remember(customerId: string, accountId: string): string {
  if (knownCustomers.size >= KNOWN_CUSTOMERS_MAX) knownCustomers.clear()
  knownCustomers.set(customerId, accountId)
  return accountId
}

/**
 * The answer of a read, or undefined when billing says the object is not there (deleted, another
 * account's, never existed): such an event is unroutable, not an outage.
 * @throws what the read threw otherwise (an outage: Stripe delivers again later).
 */
async function unlessUnknown<T>(read: Promise<T>): Promise<T | undefined> {
  try {
    return await read
  } catch (err) {
    if (err instanceof ConnectorError && err.kind === 'business') return undefined
    throw err
  }
}

async function customerOfInvoice(
  reader: StripeReader,
  invoiceId: string,
): Promise<string | undefined> {
  return (await unlessUnknown(reader.getInvoice(invoiceId)))?.customer ?? undefined
}

/** Finds the Salesforce account of a billing customer: the directory first, then the customer's metadata. */
async function accountOf(
  c: AppContext,
  customerId: string | undefined,
  invoiceId: string | undefined,
): Promise<string | undefined> {
  const registry = c.env.OPS_REGISTRY.getByName('global')
  const stripe = stripeConnector(c.get('config').stripe)
  const reader = stripe && new StripeReader(stripe.client)
  const customer =
    customerId ?? (invoiceId && reader ? await customerOfInvoice(reader, invoiceId) : undefined)
  if (!customer) return undefined
  const cached = knownCustomers.get(customer)
  if (cached) return cached
  const known = await registry.lookupCustomer(customer)
  if (known) return remember(customer, known)
  const fromStripe = reader ? await unlessUnknown(reader.accountIdOf(customer)) : undefined
  const account = fromStripe ? AccountId.safeParse(fromStripe) : undefined
  if (!account?.success) return undefined
  await registry.rememberCustomer(customer, account.data)
  return remember(customer, account.data)
}

/**
 * The event in a request, once its signature holds on the raw body.
 * @throws AppError 400 (after quarantining the request) when the signature or the body is bad.
 */
async function verifiedEvent(c: AppContext): Promise<StripeEventEnvelope> {
  const raw = await readRawBody(c, MAX_WEBHOOK_BYTES)
  try {
    const secrets = c.get('config').stripeWebhookSecrets
    await verifyStripeSignature(raw, c.req.header('stripe-signature'), secrets)
  } catch (err) {
    if (!(err instanceof StripeSignatureError)) throw err
    await quarantine(c, `signature: ${err.reason}`, raw)
    throw new AppError({ code: 'bad_signature', status: 400, message: err.message })
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(new TextDecoder().decode(raw))
  } catch {
    parsed = undefined
  }
  const event = envelope(parsed)
  if (event) return event
  await quarantine(c, 'not a Stripe event (id, type, created, data.object)', raw)
  throw new ValidationError('Body is not a Stripe event.')
}

/** Keeps an event no ledger takes (unhandled type, unknown customer) where operators look. */
async function keepAside(
  c: AppContext,
  event: StripeEventEnvelope,
  note: { outcome: 'ignored' | 'unrouted'; customerId?: string; reason: string },
): Promise<Response> {
  await c.env.OPS_REGISTRY.getByName('global').noteWebhook({
    id: event.id,
    type: event.type,
    payload: JSON.stringify(event),
    ...note,
  })
  return c.json({ received: true, outcome: note.outcome })
}

/**
 * `POST /v1/webhooks/stripe`: verified on the raw body, deduped by event id in the account's
 * ledger, which re-reads the documents the event names. Unknown customers and unhandled types
 * are acknowledged (Stripe would otherwise retry for days), counted and kept for operators.
 */
export const stripeWebhooks = new Hono<AppEnv>().post('/', async (c) => {
  const event = await verifiedEvent(c)
  const log = c.get('log').with({ stripeEventId: event.id, eventType: event.type })
  const classified = classifyStripeEvent(event)
  const customerId = classified.customerId
  if (!classified.handled)
    return keepAside(c, event, { outcome: 'ignored', customerId, reason: 'type not handled' })
  let accountId: string | undefined
  try {
    accountId = await accountOf(c, customerId, classified.invoiceId)
  } catch (err) {
    // Billing could not be asked now: a 5xx makes Stripe deliver again later.
    log.warn('could not resolve the customer; Stripe will retry', errorFields(err))
    throw new AppError({
      code: 'unavailable',
      status: 503,
      message: 'Could not route the event right now.',
      retryable: true,
    })
  }
  if (!accountId) {
    log.warn('webhook for an unknown customer kept as unrouted', { customerId })
    const reason = 'customer is not linked to a Salesforce account'
    return keepAside(c, event, { outcome: 'unrouted', customerId, reason })
  }
  // Routed events are counted where they land (each ledger's billing_event table); the shared
  // registry only hears about the ones that need an operator's eye.
  const [outcome] = await c.env.ACCOUNT_LEDGER.getByName(accountId).recordBillingEvents(accountId, [
    classified.ref,
  ])
  return c.json({ received: true, outcome })
})
