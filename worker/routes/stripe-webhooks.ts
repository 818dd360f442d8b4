import { Hono } from 'hono/tiny'
import {
  stripeConnector,
  StripeReader,
  StripeSignatureError,
  verifyStripeSignature,
} from '../connectors/stripe/index.ts'
import { AppError, ValidationError } from '../errors.ts'
import { readRawBody, type AppEnv, type AppContext } from './context.ts'
import { errorFields } from '../lib/log.ts'
import type { StripeEventEnvelope } from '../webhooks/stripe-events.ts'
import { routeStripeEvent, type StripeRoutingPorts } from '../webhooks/stripe-routing.ts'

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

/** Routing's ports from this request's bindings: the registry, billing's reads, the ledgers. */
function routingPorts(c: AppContext, event: StripeEventEnvelope): StripeRoutingPorts {
  // Built when first asked: an event of a customer this isolate knows needs neither.
  const registry = () => c.env.OPS_REGISTRY.getByName('global')
  let reader: StripeReader | undefined
  const read = () => {
    const stripe = stripeConnector(c.get('config').stripe)
    reader ??= stripe && new StripeReader(stripe.client)
    if (!reader) throw new Error('billing is not configured')
    return reader
  }
  return {
    lookupCustomer: (customerId) => registry().lookupCustomer(customerId),
    rememberCustomer: (customerId, accountId) => registry().rememberCustomer(customerId, accountId),
    reader:
      c.get('config').stripe.status === 'ok'
        ? {
            accountIdOf: (customerId) => read().accountIdOf(customerId),
            customerOfInvoice: async (invoiceId) =>
              (await read().getInvoice(invoiceId)).customer ?? undefined,
          }
        : undefined,
    record: async (accountId, ref) => {
      const [outcome] = await c.env.ACCOUNT_LEDGER.getByName(accountId).recordBillingEvents(
        accountId,
        [ref],
      )
      if (!outcome) throw new Error('the ledger answered no outcome for the event')
      return outcome
    },
    keepAside: (note) =>
      registry().noteWebhook({
        id: event.id,
        type: event.type,
        payload: JSON.stringify(event),
        ...note,
      }),
  }
}

/**
 * `POST /v1/webhooks/stripe`: verified on the raw body, then routed in one hop to the account's
 * ledger (`webhooks/stripe-routing.ts`), which records it durably (deduped by event id) before
 * this answers 2xx and re-reads the documents it names in its alarm. Unknown customers and
 * unhandled types are acknowledged (Stripe would otherwise retry for days), counted and kept for
 * operators.
 */
export const stripeWebhooks = new Hono<AppEnv>().post('/', async (c) => {
  const event = await verifiedEvent(c)
  const log = c.get('log').with({ stripeEventId: event.id, eventType: event.type })
  let routed: Awaited<ReturnType<typeof routeStripeEvent>>
  try {
    routed = await routeStripeEvent(event, routingPorts(c, event))
  } catch (err) {
    // Billing, the registry or the ledger could not be asked now: a 5xx makes Stripe deliver again later.
    log.warn('could not route the event; Stripe will retry', errorFields(err))
    throw new AppError({
      code: 'unavailable',
      status: 503,
      message: 'Could not route the event right now.',
      retryable: true,
    })
  }
  if (routed.outcome === 'unrouted')
    log.warn('webhook for an unknown customer kept as unrouted', { customerId: routed.customerId })
  return c.json({ received: true, outcome: routed.outcome })
})
