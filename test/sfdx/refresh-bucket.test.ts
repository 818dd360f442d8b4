import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { REFRESH_BUCKETS, refreshBucket, refreshBuckets } from '../../shared/refresh-bucket.ts'
import { toId18 } from '../../shared/salesforce-id.ts'
import { LWC } from './project.ts'

interface BrowserBuckets {
  refreshBucket(id: string): string | undefined
  namesRecord(message: unknown, recordId: string): boolean
}

/** The component module is plain JavaScript with no imports, so Node can load it as it ships. */
const browser = (await import(
  pathToFileURL(join(LWC, 'concordRefresh', 'concordRefresh.js')).href
)) as BrowserBuckets

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
/** Deterministic pseudo-random 15-character Account ids (a small LCG: the test must replay). */
function accountIds(count: number): string[] {
  let state = 7
  const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0)
  return Array.from(
    { length: count },
    () => '001' + Array.from({ length: 12 }, () => ALPHANUMERIC[next() % 62]).join(''),
  )
}

describe('refresh buckets (Concord_Refresh__e.Buckets__c)', () => {
  const ids = accountIds(5000)

  it('are the same in the worker and in the browser, for 15- and 18-character ids', () => {
    for (const id of ids) {
      const bucket = refreshBucket(id)
      expect(browser.refreshBucket(id), id).toBe(bucket)
      expect(browser.refreshBucket(toId18(id)), id).toBe(bucket)
      expect(refreshBucket(toId18(id)), id).toBe(bucket)
    }
  })

  it('let the browser match a hint the worker built, and only its own buckets', () => {
    const changed = ids.slice(0, 20)
    const hint = { data: { payload: { Buckets__c: refreshBuckets(changed) } } }
    const named = new Set(changed.map(refreshBucket))
    for (const id of ids.slice(0, 1000))
      expect(browser.namesRecord(hint, id), id).toBe(named.has(refreshBucket(id)))
  })

  it(`spread Accounts over ${REFRESH_BUCKETS} buckets, none holding a few alone`, () => {
    const perBucket = new Map<string, number>()
    for (const id of ids)
      perBucket.set(refreshBucket(id), (perBucket.get(refreshBucket(id)) ?? 0) + 1)
    expect(perBucket.size).toBe(REFRESH_BUCKETS)
    // 5,000 over 256 is about 20 a bucket: each bucket stands for many Accounts.
    expect(Math.min(...perBucket.values())).toBeGreaterThan(5)
  })

  it('leave out values that are not record ids, and never carry an id', () => {
    const value = refreshBuckets([...ids.slice(0, 3), 'not-an-id', ''])
    expect(value).toMatch(/^[0-9a-f]{2}(,[0-9a-f]{2}){0,2}$/)
    for (const id of ids.slice(0, 3)) expect(value).not.toContain(id)
  })
})
