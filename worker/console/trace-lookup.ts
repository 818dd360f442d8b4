import type { Config } from '../config/types.ts'
import { NotFoundError } from '../errors.ts'
import type { Trace } from '../ledger/trace.ts'
import type { TraceMatch } from '../ops/trace-index.ts'

/** Where an operator opens each record in the vendor's own UI; absent when not configured. */
export interface TraceLinks {
  salesforceAccount?: string
  stripeCustomer?: string
  stripeBilling?: Record<string, string>
  netsuiteCustomer?: string
  netsuiteOrders?: Record<string, string>
}

/** One account's part of a correlation id's trace, with its deep links. */
export interface TraceAccount {
  trace: Trace
  links: TraceLinks
}

export interface TraceResult {
  correlationId: string
  accounts: TraceAccount[]
}

type Bindings = Pick<Env, 'OPS_REGISTRY' | 'ACCOUNT_LEDGER'>

/** Salesforce's own hosts are for logging in; records live on the org's instance (My Domain). */
const LOGIN_HOSTS = new Set(['login.salesforce.com', 'test.salesforce.com'])

function salesforceBase(config: Config): string | undefined {
  if (config.salesforce.status !== 'ok') return undefined
  const url = new URL(config.salesforce.settings.loginUrl)
  return LOGIN_HOSTS.has(url.hostname) ? undefined : url.origin
}

/** Stripe's dashboard, under `/test` for a test-mode key (`sk_test_…`, `rk_test_…`). */
function stripeBase(config: Config): string | undefined {
  if (config.stripe.status !== 'ok') return undefined
  const test = /^(sk|rk)_test_/.test(config.stripe.settings.apiKey)
  return `https://dashboard.stripe.com${test ? '/test' : ''}`
}

/** The account's UI domain: the account id, lower case, `_` as `-` (`1234567_SB1` → `1234567-sb1`). */
function netsuiteBase(config: Config): string | undefined {
  if (config.netsuite.status !== 'ok') return undefined
  const host = config.netsuite.settings.accountId.toLowerCase().replace(/_/g, '-')
  return `https://${host}.app.netsuite.com`
}

/** The Stripe dashboard page of a billing reference (subscription or schedule). */
function stripePath(ref: string): string | undefined {
  if (ref.startsWith('sub_sched_')) return `/subscription_schedules/${ref}`
  if (ref.startsWith('sub_')) return `/subscriptions/${ref}`
  if (ref.startsWith('in_')) return `/invoices/${ref}`
  return undefined
}

/** Deep links for a trace, from the configured vendors (none for a vendor that is not set up). */
export function traceLinks(config: Config, trace: Trace): TraceLinks {
  const sf = salesforceBase(config)
  const stripe = stripeBase(config)
  const ns = netsuiteBase(config)
  const { billingCustomerId, erpCustomerId } = trace.xref
  const billing: Record<string, string> = {}
  const orders: Record<string, string> = {}
  for (const { detail } of trace.amendments) {
    const path = detail.billingRef ? stripePath(detail.billingRef) : undefined
    if (stripe && detail.billingRef && path) billing[detail.billingRef] = `${stripe}${path}`
    const order = detail.erpRef?.match(/^salesOrder:(\d+)$/)?.[1]
    if (ns && detail.erpRef && order)
      orders[detail.erpRef] = `${ns}/app/accounting/transactions/salesord.nl?id=${order}`
  }
  return {
    salesforceAccount: sf && `${sf}/lightning/r/Account/${trace.accountId}/view`,
    stripeCustomer: stripe && billingCustomerId && `${stripe}/customers/${billingCustomerId}`,
    stripeBilling: billing,
    netsuiteCustomer:
      ns && erpCustomerId && `${ns}/app/common/entity/custjob.nl?id=${erpCustomerId}`,
    netsuiteOrders: orders,
  }
}

/** The amendments known by any id (correlation, EventUuid, account, Stripe or NetSuite id). */
export function searchTraces(env: Bindings, query: string): Promise<TraceMatch[]> {
  return env.OPS_REGISTRY.getByName('global').findTraces(query.trim(), 50)
}

/**
 * A correlation id's trace from every ledger the index names for it.
 * @throws NotFoundError when no ledger knows it.
 */
export async function readTraceOf(
  env: Bindings,
  config: Config,
  correlationId: string,
): Promise<TraceResult> {
  const matches = await env.OPS_REGISTRY.getByName('global').findTraces(correlationId, 50)
  const accountIds = [
    ...new Set(matches.filter((m) => m.correlationId === correlationId).map((m) => m.accountId)),
  ]
  // Plain data across RPC: the stub's disposable wrapper is not part of the trace.
  const traces = (await Promise.all(
    accountIds.map((id) => env.ACCOUNT_LEDGER.getByName(id).correlationTrace(correlationId)),
  )) as Array<Trace | undefined>
  const accounts = traces
    .filter((t): t is Trace => t !== undefined)
    .map((trace) => ({ trace, links: traceLinks(config, trace) }))
  if (accounts.length === 0) throw new NotFoundError('Trace')
  return { correlationId, accounts }
}
