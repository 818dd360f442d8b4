/**
 * Salesforce-style record ids: a 3-character key prefix naming the object, 12 more characters
 * (15 in all, case-sensitive), and the 3-character case-safe suffix that makes the 18-character
 * form. https://help.salesforce.com/s/articleView?id=000385008&type=1
 */
import { idSuffix } from '../../../shared/salesforce-id.ts'

const ID15 = /^[a-zA-Z0-9]{15}$/
const ID18 = /^[a-zA-Z0-9]{18}$/
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

/** True for a syntactically valid 15- or 18-character id (an 18-char one must carry its own suffix). */
export function isSalesforceId(value: string): boolean {
  if (ID15.test(value)) return true
  return ID18.test(value) && idSuffix(value.slice(0, 15)) === value.slice(15).toUpperCase()
}

/** The 18-character form of a 15- or 18-character id, or undefined when it is not an id. */
export function toId18(value: string): string | undefined {
  if (!isSalesforceId(value)) return undefined
  const id15 = value.slice(0, 15)
  return id15 + idSuffix(id15)
}

function base62(n: number, width: number): string {
  let out = ''
  let rest = n
  while (rest > 0) {
    out = BASE62[rest % 62] + out
    rest = Math.floor(rest / 62)
  }
  return out.padStart(width, '0')
}

/**
 * Mints ids for one org: prefix, a 2-character pod, a reserved `0`, a 4-character block fixed per
 * prefix (mixed case, so the checksum suffix is not trivially `AAA`), and a 5-character counter.
 * Ids are stable for a given sequence of creates (seeded demo data gets the same ids every run).
 */
export class IdFactory {
  private counters = new Map<string, number>()
  private pod: string

  constructor(pod = '5g') {
    this.pod = pod
  }

  next(prefix: string): string {
    const n = (this.counters.get(prefix) ?? 0) + 1
    this.counters.set(prefix, n)
    let salt = 7
    for (const c of prefix) salt = (salt * 31 + c.charCodeAt(0)) % 14_776_336
    const id15 = `${prefix}${this.pod}0${base62(salt, 4)}${base62(n, 5)}`
    return id15 + idSuffix(id15)
  }

  reset(): void {
    this.counters.clear()
  }
}
