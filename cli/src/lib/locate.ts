import type { Connection } from '@salesforce/core'
import { failure } from './failure.ts'
import type { WorkerApi } from './worker-api.ts'
import type { AmendmentState, ExceptionEntry } from './worker-types.ts'

const STATES: AmendmentState[] = ['parked', 'waiting', 'applied', 'skipped']

/** Where an amendment lives: its Salesforce account (the ledger that holds it) and its id. */
export interface Located {
  accountId: string
  amendmentId: string
  via: 'flag' | 'exception index' | 'Subscription_Sync__c'
}

/**
 * Finds the account of an amendment, by amendment id or correlation id: first in the worker's
 * exception index (every amendment that was ever parked), then, with an org, in the
 * `Subscription_Sync__c` rows the worker wrote back to Salesforce.
 * @throws SfError when neither knows the id.
 */
export async function locateAmendment(
  api: WorkerApi,
  id: string,
  opts: { accountId?: string; conn?: Connection },
): Promise<Located> {
  if (opts.accountId) return { accountId: opts.accountId, amendmentId: id, via: 'flag' }
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
    said: `neither the worker's exception index (amendments that were ever parked)${opts.conn ? ' nor Salesforce’s Subscription_Sync__c rows' : ''} know that id`,
    next: [
      'Pass the account with --account <Salesforce Account id>: the worker finds any amendment in that account’s ledger.',
      ...(opts.conn
        ? []
        : ['Or pass --target-org: the status rows in Salesforce map correlation ids to accounts.']),
    ],
    code: 'AmendmentNotFound',
  })
}
