import Stripe from 'stripe'
import { STRIPE_API_VERSION } from '../../worker/connectors/stripe/client.ts'
import { signClientAssertion, type JwtAlg } from '../emulators/netsuite/index.ts'
import { tokenRequest as netsuiteTokenRequest } from '../emulators/netsuite/test-support.ts'
import { signJwt } from '../emulators/salesforce/test-support.ts'
import { DEMO_CATALOG } from '../stack/demo.ts'
import type { VendorStack } from '../stack/vendors.ts'
import type { PlannedAmendment } from './amendment-load.ts'

const SF_VERSION = 'v65.0'
const NS_RECORD = '/services/rest/record/v1'
/** The US subsidiary: every bench Account is in Concord_Legal_Entity__c US-INC. */
const NS_SUBSIDIARY = '1'

/** A counting semaphore: at most `size` holders at once, the rest queue in order. */
class Semaphore {
  private free: number
  private readonly waiting: Array<() => void> = []

  constructor(size: number) {
    this.free = size
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free -= 1
    else await new Promise<void>((r) => this.waiting.push(r))
    try {
      return await work()
    } finally {
      const next = this.waiting.shift()
      if (next) next()
      else this.free += 1
    }
  }
}

async function ok(res: Response, what: string): Promise<Response> {
  if (!res.ok) throw new Error(`${what}: ${res.status} ${(await res.text()).slice(0, 300)}`)
  return res
}

async function accessToken(res: Response, what: string): Promise<string> {
  const body = (await (await ok(res, what)).json()) as { access_token?: unknown }
  if (typeof body.access_token !== 'string') throw new Error(`${what}: no access_token`)
  return body.access_token
}

/** What the integration remembers of a subscription it made (as a simple integration would, in its own store). */
interface SubscriptionMemory {
  subscriptionId: string
  itemId: string
  priceKey: string
}

/** What it remembers of an account: its billing and ERP customers. */
interface AccountMemory {
  stripeCustomer: string
  netsuiteCustomer: string
}

/**
 * The alternative to Concord: a point-to-point integration run in this process, the kind a team
 * writes by hand. Each amendment is applied directly with one API call per record and no
 * batching: Stripe (the customer when the account is first seen, then the subscription created or
 * its quantity updated, with the same idempotency keys as Concord), NetSuite (the customer upsert
 * when first seen, then one sales order), Salesforce (the Account read when first seen, then one
 * sObject upsert of the amendment's `Subscription_Sync__c`, straight to `applied`). Amendments of
 * one account run in order, accounts in parallel (as Concord's ledgers do), and NetSuite requests
 * share a semaphore of the same size as Concord's `NETSUITE_CONCURRENCY`. It keeps what it made
 * in memory, so it never reads before it writes. Real HTTP APIs with real auth: the official
 * Stripe SDK with the secret key, Salesforce's JWT bearer flow, NetSuite's M2M client credentials.
 */
export class PointToPoint {
  /** Billing and ERP done, by amendment id (epoch ms): Concord's `applied`. */
  readonly appliedAt = new Map<string, number>()
  readonly failures: Array<{ id: string; error: string }> = []
  private readonly queues = new Map<string, PlannedAmendment[]>()
  private readonly running = new Set<string>()
  private readonly accounts = new Map<string, AccountMemory>()
  private readonly subscriptions = new Map<string, SubscriptionMemory>()
  private readonly stripe: Stripe
  private readonly netsuiteGate: Semaphore
  private readonly vendors: VendorStack
  private salesforceToken: Promise<string> | undefined
  private netsuiteToken: Promise<string> | undefined
  private idle: Array<() => void> = []

  constructor(vendors: VendorStack, opts: { netsuiteConcurrency: number }) {
    this.vendors = vendors
    const url = new URL(vendors.stripe.url)
    this.stripe = new Stripe(vendors.bindings.STRIPE_SECRET_KEY ?? '', {
      apiVersion: STRIPE_API_VERSION,
      host: url.hostname,
      port: Number(url.port),
      protocol: 'http',
      maxNetworkRetries: 0,
    })
    this.netsuiteGate = new Semaphore(opts.netsuiteConcurrency)
  }

  /** Takes a batch: each amendment joins its account's queue, which starts draining if idle. */
  accept(batch: PlannedAmendment[]): Promise<void> {
    for (const a of batch) {
      const queue = this.queues.get(a.accountId) ?? []
      queue.push(a)
      this.queues.set(a.accountId, queue)
      if (!this.running.has(a.accountId)) void this.drain(a.accountId)
    }
    return Promise.resolve()
  }

  /** Resolves when every queue is empty and nothing is in flight. */
  settled(): Promise<void> {
    if (this.running.size === 0) return Promise.resolve()
    return new Promise((r) => this.idle.push(r))
  }

  private async drain(accountId: string): Promise<void> {
    this.running.add(accountId)
    const queue = this.queues.get(accountId) ?? []
    for (let a = queue.shift(); a; a = queue.shift()) {
      try {
        await this.apply(a)
      } catch (err) {
        this.failures.push({ id: a.id, error: err instanceof Error ? err.message : String(err) })
      }
    }
    this.running.delete(accountId)
    if (this.running.size === 0) for (const done of this.idle.splice(0)) done()
  }

  private async apply(a: PlannedAmendment): Promise<void> {
    const account = await this.account(a)
    const billingRef = await this.bill(a, account)
    const erpRef = await this.netsuite(
      'PUT',
      `${NS_RECORD}/salesOrder/eid:bench-amd-${a.id}?replace=item`,
      this.order(a, account, billingRef),
    )
    this.appliedAt.set(a.id, Date.now())
    await this.salesforce('PATCH', `/sobjects/Subscription_Sync__c/External_Id__c/${a.id}`, {
      Account__c: a.accountId,
      Subscription_Key__c: a.subscriptionKey,
      Sequence__c: a.sequence,
      Action__c: a.action,
      Status__c: 'applied',
      Correlation_Id__c: a.correlationId,
      Billing_Ref__c: billingRef,
      Erp_Ref__c: `salesOrder:${erpRef}`,
      Updated_At__c: new Date().toISOString(),
    })
  }

  /** The account's customers, made the first time it is seen (the Account read for its name). */
  private async account(a: PlannedAmendment): Promise<AccountMemory> {
    const known = this.accounts.get(a.accountId)
    if (known) return known
    const res = await this.salesforce('GET', `/sobjects/Account/${a.accountId}?fields=Id,Name`)
    const { Name: name } = (await res.json()) as { Name: string }
    const customer = await this.stripe.customers.create(
      { name, metadata: { sf_account_id: a.accountId, correlation_id: a.correlationId } },
      { idempotencyKey: `${a.accountId}:customer:billing` },
    )
    const netsuiteCustomer = await this.netsuite(
      'PUT',
      `${NS_RECORD}/customer/eid:${a.accountId}`,
      {
        isPerson: false,
        companyName: name,
        subsidiary: { id: NS_SUBSIDIARY },
        custentity_concord_stripe_customer_id: customer.id,
      },
    )
    const memory = { stripeCustomer: customer.id, netsuiteCustomer }
    this.accounts.set(a.accountId, memory)
    return memory
  }

  /** One Stripe call: create the subscription, or change the remembered item's quantity. */
  private async bill(a: PlannedAmendment, account: AccountMemory): Promise<string> {
    const idempotencyKey = `${a.id}:billing`
    const known = this.subscriptions.get(a.subscriptionKey)
    if (known) {
      await this.stripe.subscriptions.update(
        known.subscriptionId,
        {
          items: [{ id: known.itemId, quantity: a.quantity }],
          proration_behavior: 'create_prorations',
          metadata: { correlation_id: a.correlationId },
        },
        { idempotencyKey },
      )
      return known.subscriptionId
    }
    const priceKey = a.priceKey ?? ''
    const price = DEMO_CATALOG.prices[priceKey]
    if (!price) throw new Error(`${a.subscriptionKey} #${a.sequence}: no subscription and no price`)
    const sub = await this.stripe.subscriptions.create(
      {
        customer: account.stripeCustomer,
        items: [{ price: price.billingPriceId, quantity: a.quantity }],
        proration_behavior: 'create_prorations',
        metadata: {
          subscription_key: a.subscriptionKey,
          sf_account_id: a.accountId,
          correlation_id: a.correlationId,
        },
      },
      { idempotencyKey },
    )
    const itemId = sub.items.data[0]?.id
    if (!itemId) throw new Error(`subscription ${sub.id} has no item`)
    this.subscriptions.set(a.subscriptionKey, { subscriptionId: sub.id, itemId, priceKey })
    return sub.id
  }

  /** The sales order that records the amendment: the subscription's item at its new quantity. */
  private order(a: PlannedAmendment, account: AccountMemory, subscriptionId: string) {
    const priceKey = this.subscriptions.get(a.subscriptionKey)?.priceKey ?? ''
    const price = DEMO_CATALOG.prices[priceKey]
    if (!price) throw new Error(`${a.subscriptionKey}: unknown price key "${priceKey}"`)
    return {
      entity: { id: account.netsuiteCustomer },
      tranDate: new Date().toISOString().slice(0, 10),
      memo: `${a.action} ${a.subscriptionKey} #${a.sequence} correlationId=${a.correlationId}`,
      otherRefNum: subscriptionId,
      item: {
        items: [
          {
            item: { id: price.erpItemId },
            quantity: a.quantity,
            rate: price.unitAmount === undefined ? undefined : price.unitAmount / 100,
          },
        ],
      },
    }
  }

  /** One SuiteTalk REST upsert under the concurrency share; answers the record's internal id. */
  private async netsuite(method: 'PUT', path: string, body: unknown): Promise<string> {
    const token = await (this.netsuiteToken ??= this.mintNetsuiteToken())
    const res = await this.netsuiteGate.run(async () =>
      ok(
        await fetch(`${this.vendors.netsuite.url}${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }),
        `NetSuite ${method} ${path}`,
      ),
    )
    const id = /\/(\d+)$/.exec(res.headers.get('location') ?? '')?.[1]
    if (!id) throw new Error(`NetSuite ${method} ${path}: no record id in Location`)
    return id
  }

  private async salesforce(
    method: 'GET' | 'PATCH',
    path: string,
    body?: unknown,
  ): Promise<Response> {
    const token = await (this.salesforceToken ??= this.mintSalesforceToken())
    return ok(
      await fetch(`${this.vendors.salesforce.url}/services/data/${SF_VERSION}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
      `Salesforce ${method} ${path}`,
    )
  }

  /** OAuth 2.0 JWT bearer with the stack's connected-app key, as the worker logs in. */
  private async mintSalesforceToken(): Promise<string> {
    const b = this.vendors.bindings
    const assertion = signJwt(b.SALESFORCE_PRIVATE_KEY ?? '', {
      iss: b.SALESFORCE_CLIENT_ID,
      sub: b.SALESFORCE_USERNAME,
      aud: 'https://login.salesforce.com',
      exp: Math.floor(Date.now() / 1000) + 120,
    })
    const res = await fetch(`${this.vendors.salesforce.url}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        assertion,
      }).toString(),
    })
    return accessToken(res, 'Salesforce token')
  }

  /** NetSuite OAuth 2.0 client credentials (M2M) with the stack's certificate key. */
  private async mintNetsuiteToken(): Promise<string> {
    const b = this.vendors.bindings
    const assertion = signClientAssertion({
      privateKey: b.NETSUITE_PRIVATE_KEY ?? '',
      alg: (b.NETSUITE_JWT_ALG ?? 'PS256') as JwtAlg,
      kid: b.NETSUITE_CERTIFICATE_ID ?? '',
      clientId: b.NETSUITE_CLIENT_ID ?? '',
      audience: this.vendors.netsuite.tokenUrl,
    })
    return accessToken(
      await netsuiteTokenRequest(this.vendors.netsuite.tokenUrl, assertion),
      'NetSuite token',
    )
  }
}
