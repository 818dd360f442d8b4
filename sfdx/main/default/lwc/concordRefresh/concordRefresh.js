/**
 * The refresh hint's bucket, in the browser: the same function as `refreshBucket` in
 * shared/refresh-bucket.ts (test/sfdx/refresh-bucket.test.ts checks they agree). A
 * `Concord_Refresh__e` names buckets, never Account ids, so what every subscriber receives says
 * nothing about a record it cannot see; a component refreshes when its own record's bucket is named.
 */
export const REFRESH_CHANNEL = '/event/Concord_Refresh__e'

const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345'

/** The 18-character form of a 15- or 18-character id (buckets hash that form). */
export function toId18(id) {
  const id15 = String(id || '')
    .trim()
    .substring(0, 15)
  if (!/^[a-zA-Z0-9]{15}$/.test(id15)) return undefined
  let suffix = ''
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0
    for (let i = 0; i < 5; i++) {
      const c = id15.charCodeAt(chunk * 5 + i)
      if (c >= 65 && c <= 90) bits |= 1 << i
    }
    suffix += SUFFIX_ALPHABET[bits]
  }
  return id15 + suffix
}

/** The record's bucket: top byte of the 32-bit FNV-1a hash of its 18-character id, two hex digits. */
export function refreshBucket(id) {
  const id18 = toId18(id)
  if (!id18) return undefined
  let hash = 0x811c9dc5
  for (let i = 0; i < id18.length; i++) {
    hash ^= id18.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return (hash >>> 24).toString(16).padStart(2, '0')
}

/** True when a `Concord_Refresh__e` message names the bucket of `recordId`. */
export function namesRecord(message, recordId) {
  const payload = message && message.data && message.data.payload
  const buckets = String((payload && payload.Buckets__c) || '').split(',')
  const own = refreshBucket(recordId)
  return Boolean(own) && buckets.includes(own)
}
