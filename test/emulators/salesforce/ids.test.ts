import { describe, expect, it } from 'vitest'
import { toId18 as sharedToId18 } from '../../../shared/salesforce-id.ts'
import { IdFactory, isSalesforceId, toId18 } from './ids.ts'

describe('Salesforce ids', () => {
  it('adds the case-safe suffix Salesforce documents', () => {
    expect(toId18('0015000000Gv7qJ')).toBe('0015000000Gv7qJAAR')
    expect(toId18('0015000000Gv7qJAAR')).toBe('0015000000Gv7qJAAR')
  })

  it('mints 18-character ids with the object key prefix that the shared helper accepts unchanged', () => {
    const ids = new IdFactory()
    const minted = ['001', '001', 'a02', 'e00'].map((p) => ids.next(p))
    expect(new Set(minted).size).toBe(4)
    for (const [i, id] of minted.entries()) {
      expect(id).toMatch(/^[a-zA-Z0-9]{18}$/)
      expect(id.slice(0, 3)).toBe(['001', '001', 'a02', 'e00'][i])
      expect(sharedToId18(id)).toBe(id)
      expect(sharedToId18(id.slice(0, 15))).toBe(id)
    }
    expect(minted.some((id) => id.slice(15) !== 'AAA')).toBe(true)
  })

  it('rejects malformed ids and 18-character ids with a wrong suffix', () => {
    expect(isSalesforceId('001')).toBe(false)
    expect(isSalesforceId('0015000000Gv7qJAAA')).toBe(false)
    expect(toId18('not-an-id-at-all!!')).toBeUndefined()
  })
})
