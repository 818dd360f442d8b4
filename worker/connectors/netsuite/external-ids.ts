import { toId18 } from '../../../shared/index.ts'

/**
 * External ids for `eid:` upserts. NetSuite allows only letters, digits, `_` and `-` in them
 * (https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_156334828635.html), and
 * each must be derived from the thing it stands for, so every retry lands on the same record.
 */

const ALLOWED = /^[A-Za-z0-9-]$/
const encoder = new TextEncoder()

/**
 * `raw` made safe for `eid:`, one-to-one: letters, digits and `-` stay; every other byte
 * (including `_`, the escape character itself) becomes `_XX`, its UTF-8 byte in hex.
 */
export function toExternalId(raw: string): string {
  let out = ''
  for (const ch of raw) {
    if (ALLOWED.test(ch)) out += ch
    else
      for (const b of encoder.encode(ch)) out += `_${b.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}

/** The customer's external id: the Account's 18-character Salesforce id (case-safe). */
export function customerExternalId(accountId: string): string {
  return toId18(accountId)
}

/** The sales order an amendment is recorded as; amendment ids are EventUuids. */
export function amendmentExternalId(amendmentId: string): string {
  return `concord-amd-${toExternalId(amendmentId.toLowerCase())}`
}
