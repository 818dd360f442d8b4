import { toId18 } from './salesforce-id.ts'

/**
 * How many buckets `Concord_Refresh__e.Buckets__c` sorts Accounts into. The hint reaches every
 * browser subscribed to the channel, whoever can see which Account, so it names buckets, never
 * records: with 256 buckets, an org of 25,600 Accounts has about 100 in each, and a page refreshes
 * (re-reading through Lightning Data Service, where sharing decides) when its own Account's bucket
 * is named. The `concordRefresh` component computes the same bucket (a test checks they agree).
 */
export const REFRESH_BUCKETS = 256

/**
 * The refresh bucket of a record: the top byte of the 32-bit FNV-1a hash of its 18-character id,
 * as two lower-case hex digits. Unkeyed on purpose: Salesforce has no secret the browser may hold,
 * and a bucket shared by many Accounts says nothing about one of them.
 * @throws Error when `id` is not a 15- or 18-character Salesforce id.
 */
export function refreshBucket(id: string): string {
  const id18 = toId18(id)
  let hash = 0x811c9dc5
  for (let i = 0; i < id18.length; i++) {
    hash ^= id18.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return (hash >>> 24).toString(16).padStart(2, '0')
}

const SALESFORCE_ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/

/**
 * The `Buckets__c` value for the records that changed: distinct buckets, sorted, comma-joined. A
 * value that is not a Salesforce id is left out: no record page can have it, so no page waits for it.
 */
export function refreshBuckets(ids: readonly string[]): string {
  const buckets = ids.filter((id) => SALESFORCE_ID.test(id)).map(refreshBucket)
  return [...new Set(buckets)].sort().join(',')
}
