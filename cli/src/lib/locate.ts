import type { Connection } from '@salesforce/core'
import { failure } from './failure.ts'
import type { WorkerApi } from './worker-api.ts'
import type { AmendmentState, ExceptionEntry } from './worker-types.ts'

const STATES: AmendmentState[] = ['parked', 'waiting', 'applied', 'skipped']

/** Where an amendment lives: its Salesforce account (the ledger that holds it) and its id. */
export interface Located {
  accountId: string
  amendmentId: string
  via: 'flag' | 'trace index' | 'exception index' | 'Subscription_Sync__c'
}

/** `GET /v1/lookup/:id`: the worker's index of every amendment it took, by both ids. */
interface TraceMatches {
  items: Array<{ amendmentId: string; correlationId: string; accountId: string }>
}

/**
 * Finds the account of an amendment, by amendment id or correlation id: in the worker's trace
 * index (every amendment it took since the index exists), then for older ones in its exception
 * index (every amendment that was ever parked) and, with an org, in the `Subscription_Sync__c`
 * rows the worker wrote back to Salesforce.
 * @throws SfError when neither knows the id.
 */
export async function locateAmendment(
  api: WorkerApi,
  id: string,
  opts: { accountId?: string; conn?: Connection },
): Promise<Located> {
  if (opts.accountId) return { accountId: opts.accountId, amendmentId: id, via: 'flag' }
  const doing = `Looking ${id} up in the worker’s trace index`
  const traced = await api.send('GET', `/v1/lookup/${encodeURIComponent(id)}`, doing)
  if (traced.status === 200) {
    const hit = (traced.body as TraceMatches).items[0]
    if (hit) return { accountId: hit.accountId, amendmentId: hit.amendmentId, via: 'trace index' }
  } else if (traced.status !== 404) throw api.refusal(traced, doing)
  for (const state of STATES) {
    const page = await api.call<{ items: ExceptionEntry[] }>(
      'GET',
      `/v1/exceptions?state=${state}&limit=500`,
      `Looking for ${id} among ${state} amendments`,
    )
    const hit = page.items.find((e) => e.amendmentId === id || e.correlationId === id)
    if (hit)
      return { accountId: hit.accountId, amendmentId: hit.amendmentId, via: 'exception index' }
  }
  if (opts.conn) {
    const safe = id.replace(/'/g, "\\'")
    const rows = await opts.conn.query<{ External_Id__c: string; Account__c: string }>(
      `SELECT External_Id__c, Account__c FROM Subscription_Sync__c WHERE External_Id__c = '${safe}' OR Correlation_Id__c = '${safe}' LIMIT 1`,
    )
    const row = rows.records[0]
    if (row)
      return {
        accountId: row.Account__c,
        amendmentId: row.External_Id__c,
        via: 'Subscription_Sync__c',
      }
  }
  throw failure({
    doing: `Finding amendment ${id}`,
    said: `neither the worker's trace and exception indexes${opts.conn ? ' nor Salesforce’s Subscription_Sync__c rows' : ''} know that id`,
    next: [
      'Pass the account with --account <Salesforce Account id>: the worker finds any amendment in that account’s ledger.',
      ...(opts.conn
        ? []
        : ['Or pass --target-org: the status rows in Salesforce map correlation ids to accounts.']),
    ],
    code: 'AmendmentNotFound',
  })
}
