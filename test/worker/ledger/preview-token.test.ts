import { describe, expect, it } from 'vitest'
import { Amendment } from '../../../shared/index.ts'
import {
  checkPreview,
  openPreview,
  priceFingerprint,
  signPreview,
  type PreviewBasis,
  type PreviewNow,
} from '../../../worker/ledger/preview-token.ts'

const SECRET = 's'.repeat(40)
const PREVIOUS = 'p'.repeat(40)
const NOW = 1_800_000_000
const PRICE = {
  billingPriceId: 'price_pro',
  erpItemId: 'item-1',
  interval: 'month' as const,
  currency: 'USD',
  productName: 'Pro',
  unitAmount: 1200,
}

const amendment = (fields: Partial<Amendment> = {}): Amendment =>
  Amendment.parse({
    id: crypto.randomUUID(),
    accountId: '001Hs00000Xk9ZpIAJ',
    subscriptionKey: 'SUB-1',
    sequence: 4,
    action: 'change_price',
    priceKey: 'pro',
    proration: 'create_prorations',
    prorationDate: NOW - 30,
    correlationId: 'corr-1',
    createdAt: '2027-01-15T08:00:00.000Z',
    ...fields,
  })

async function previewed(fields: Partial<Amendment> = {}, basis: Partial<PreviewBasis> = {}) {
  const a = amendment(fields)
  const full = {
    issuedAt: NOW - 30,
    billedSequence: 3,
    price: await priceFingerprint(PRICE),
    ...basis,
  }
  return { a, token: await signPreview(SECRET, a, full), basis: full }
}

const now = async (fields: Partial<PreviewNow> = {}): Promise<PreviewNow> => ({
  now: NOW,
  billedSequence: 3,
  price: await priceFingerprint(PRICE),
  maxAgeSeconds: 3600,
  ...fields,
})

describe('preview token', () => {
  it('is short enough for a Text(255) field and opens to the basis it was signed with', async () => {
    const { a, token, basis } = await previewed()
    expect(token.length).toBeLessThan(120)
    expect(token).toMatch(/^v1\.\d+\.3\.[0-9a-f]{16}\.[0-9a-f]{64}$/)
    expect(await openPreview([SECRET], token, a)).toEqual(basis)
  })

  it('lets through the change that was previewed', async () => {
    const { a, token } = await previewed()
    expect(await checkPreview({ ...a, previewToken: token }, [SECRET], await now())).toBeUndefined()
  })

  it('accepts a token signed under the previous secret during a rotation', async () => {
    const { a, token } = await previewed()
    const refusal = await checkPreview(
      { ...a, previewToken: token },
      [PREVIOUS, SECRET],
      await now(),
    )
    expect(refusal).toBeUndefined()
    expect(await openPreview([PREVIOUS], token, a)).toBeUndefined()
  })

  it('refuses a change that differs from the previewed one in any priced field', async () => {
    const { a, token } = await previewed()
    for (const changed of [
      { quantity: 12 },
      { priceKey: 'team' },
      { prorationDate: NOW - 10 },
      { proration: 'none' as const },
      { effectiveDate: '2031-01-01' },
      { subscriptionKey: 'SUB-2' },
    ]) {
      const refusal = await checkPreview(
        { ...a, ...changed, previewToken: token },
        [SECRET],
        await now(),
      )
      expect(refusal?.code, JSON.stringify(changed)).toBe('preview_mismatch')
    }
    const forged = token.replace(/\.3\./, '.4.')
    const refusal = await checkPreview(
      { ...a, previewToken: forged },
      [SECRET],
      await now({ billedSequence: 4 }),
    )
    expect(refusal?.code).toBe('preview_mismatch')
  })

  it('refuses a commit after another change of the subscription was billed', async () => {
    const { a, token } = await previewed()
    const refusal = await checkPreview(
      { ...a, previewToken: token },
      [SECRET],
      await now({ billedSequence: 4 }),
    )
    expect(refusal).toEqual({
      code: 'preview_stale',
      message: expect.stringContaining(
        'Another change to SUB-1 was billed after the preview',
      ) as string,
    })
    expect(refusal?.message).toContain('Preview the change again')
  })

  it('refuses a commit after the catalog price changed', async () => {
    const { a, token } = await previewed()
    const repriced = await priceFingerprint({ ...PRICE, unitAmount: 1500 })
    const refusal = await checkPreview(
      { ...a, previewToken: token },
      [SECRET],
      await now({ price: repriced }),
    )
    expect(refusal?.code).toBe('preview_price_changed')
    const gone = await checkPreview(
      { ...a, previewToken: token },
      [SECRET],
      await now({ price: '-' }),
    )
    expect(gone?.code).toBe('preview_price_changed')
  })

  it('refuses a preview or proration date older than the bound, with or without a token', async () => {
    const old = await previewed({ prorationDate: NOW - 3601 })
    const refusal = await checkPreview({ ...old.a, previewToken: old.token }, [SECRET], await now())
    expect(refusal?.code).toBe('preview_expired')
    expect(refusal?.message).toContain('more than 60 minutes old')
    const bare = await checkPreview(amendment({ prorationDate: NOW - 3601 }), [SECRET], await now())
    expect(bare?.code).toBe('preview_expired')
    const future = await previewed({ prorationDate: undefined }, { issuedAt: NOW - 4000 })
    const late = await checkPreview(
      { ...future.a, previewToken: future.token },
      [SECRET],
      await now(),
    )
    expect(late?.code).toBe('preview_expired')
  })

  it('checks nothing else for an amendment sent without a preview', async () => {
    expect(
      await checkPreview(amendment({ prorationDate: undefined }), [SECRET], await now()),
    ).toBeUndefined()
  })
})
