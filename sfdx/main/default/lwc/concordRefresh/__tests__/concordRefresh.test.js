import { REFRESH_CHANNEL, namesRecord, refreshBucket, toId18 } from 'c/concordRefresh'

const hint = (buckets) => ({ data: { payload: { Buckets__c: buckets, Reason__c: 'payment' } } })

describe('c/concordRefresh', () => {
  it('names the Concord_Refresh__e channel', () => {
    expect(REFRESH_CHANNEL).toBe('/event/Concord_Refresh__e')
  })

  it('gives the 15- and 18-character forms of an id the same two-hex-digit bucket', () => {
    expect(toId18('001Hs00000Xk9Zp')).toBe('001Hs00000Xk9ZpIAJ')
    expect(refreshBucket('001Hs00000Xk9Zp')).toBe(refreshBucket('001Hs00000Xk9ZpIAJ'))
    expect(refreshBucket('001Hs00000Xk9ZpIAJ')).toMatch(/^[0-9a-f]{2}$/)
  })

  it('spreads ids over many buckets, so one bucket stands for many Accounts', () => {
    const ids = Array.from({ length: 2000 }, (_, i) => `001Hs0000${String(i).padStart(6, '0')}`)
    const perBucket = {}
    for (const id of ids) perBucket[refreshBucket(id)] = (perBucket[refreshBucket(id)] || 0) + 1
    expect(Object.keys(perBucket).length).toBeGreaterThan(200)
    expect(Math.max(...Object.values(perBucket))).toBeLessThan(30)
  })

  it('matches a hint naming the record bucket and no other', () => {
    const own = refreshBucket('001Hs00000Xk9ZpIAJ')
    const other = own === '00' ? '01' : '00'
    expect(namesRecord(hint(`${other},${own}`), '001Hs00000Xk9ZpIAJ')).toBe(true)
    expect(namesRecord(hint(other), '001Hs00000Xk9ZpIAJ')).toBe(false)
  })

  it('matches nothing for a missing record id, a non-id, or a hint without buckets', () => {
    expect(namesRecord(hint('00,01'), undefined)).toBe(false)
    expect(namesRecord(hint('00,01'), 'not-an-id')).toBe(false)
    expect(refreshBucket('not-an-id')).toBeUndefined()
    expect(namesRecord({ data: { payload: {} } }, '001Hs00000Xk9ZpIAJ')).toBe(false)
    expect(namesRecord(undefined, '001Hs00000Xk9ZpIAJ')).toBe(false)
  })
})
