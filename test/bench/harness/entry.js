/**
 * Bench-only worker entry: the production worker unchanged (every route, the scheduled handler,
 * the same Durable Object classes) plus one route, `POST /__bench/load`, that loads all of a
 * customer's invoices and payments into its account's ledger in one go, the way a backfill does:
 * read from billing with the worker's own reader, merged by `AccountLedger.loadDocuments`, handed
 * to the OrgWriter by the ledger's outbox. The write-back benchmark uses it to put 10,000 updates
 * in front of the OrgWriter in seconds; delivering them as 5,000 webhooks takes minutes on two
 * cores, and then the webhook route, not the writer, would be what is measured.
 *
 * Plain JavaScript on purpose: wrangler bundles it into workerd, while `tsconfig.node.json`, which
 * covers test/bench, has no Workers types to check worker code with.
 */
import worker from '../../../worker/index.ts'
import { PRODUCTION } from '../../../worker/objects/wiring.ts'

export * from '../../../worker/index.ts'

/**
 * @param {(after?: string) => Promise<{ items: unknown[], next?: string }>} read
 * @returns {Promise<unknown[]>}
 */
async function all(read) {
  const out = []
  let after
  for (;;) {
    const page = await read(after)
    out.push(...page.items)
    if (!page.next) return out
    after = page.next
  }
}

export default {
  ...worker,
  /**
   * @param {Request} request
   * @param {Env} env
   * @param {ExecutionContext} ctx
   */
  async fetch(request, env, ctx) {
    const url = new URL(request.url)
    if (request.method !== 'POST' || url.pathname !== '/__bench/load')
      return worker.fetch(request, env, ctx)
    const { accountId, customerId } = /** @type {{ accountId: string, customerId: string }} */ (
      await request.json()
    )
    const reader = PRODUCTION.connectors(env, PRODUCTION.config(env)).billingReader
    const invoices = await all((after) => reader.listInvoices(customerId, accountId, after))
    const payments = await all((after) => reader.listPayments(customerId, accountId, after))
    const changed = await env.ACCOUNT_LEDGER.getByName(accountId).loadDocuments(accountId, {
      invoices,
      payments,
    })
    return Response.json({ invoices: invoices.length, payments: payments.length, changed })
  },
}
