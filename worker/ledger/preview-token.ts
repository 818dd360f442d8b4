import type { Amendment, CatalogEntry } from '../../shared/index.ts'
import { constantTimeEqual, hmacSha256Hex, sha256Hex } from '../lib/hmac.ts'

/**
 * The preview token binds a commit to the preview the rep saw. `POST /v1/amendments/preview`
 * answers it; Apex stores it in `Preview_Token__c`; the billing step checks it before billing.
 *
 * `v1.<issuedAt>.<billedSequence>.<price>.<mac>`: the preview's own facts in clear (when it was
 * made, the subscription's last billed sequence, a fingerprint of the catalog price) and an
 * HMAC-SHA256 under the request-signing secret over those facts and every amendment field the
 * price depends on, proration date included. The event carries the amendment fields, so the
 * token stays short (under 100 characters) and the worker keeps no state per preview.
 */
export interface PreviewBasis {
  /** Unix seconds the preview was made. */
  issuedAt: number
  /** The highest sequence of the subscription already billed (0: none). */
  billedSequence: number
  /** `priceFingerprint` of the catalog entry the amendment names, `-` when it names none. */
  price: string
}

/** Why a commit no longer matches its preview: a Salesforce-facing code and message. */
export interface PreviewRefusal {
  code: 'preview_mismatch' | 'preview_expired' | 'preview_stale' | 'preview_price_changed'
  message: string
}

/** What holds now, at the billing step. */
export interface PreviewNow {
  now: number
  billedSequence: number
  price: string
  maxAgeSeconds: number
}

const VERSION = 'v1'
const TOKEN = /^v1\.(\d{1,12})\.(\d{1,12})\.(-|[0-9a-f]{16})\.([0-9a-f]{64})$/
const AGAIN = 'Preview the change again and confirm it.'

/** The catalog facts a price is billed by, hashed: a change to any of them changes the price. */
export async function priceFingerprint(entry: CatalogEntry | undefined): Promise<string> {
  if (!entry) return '-'
  const facts = [entry.billingPriceId, entry.currency, entry.interval, entry.unitAmount ?? null]
  return (await sha256Hex(JSON.stringify(facts))).slice(0, 16)
}

// A prefix no request signature ("<digits>.<body>") can start with, so one secret serves both.
function signedText(a: Amendment, b: PreviewBasis): string {
  const fields = [
    a.accountId,
    a.subscriptionKey,
    a.action,
    a.priceKey ?? null,
    a.quantity ?? null,
    a.effectiveDate ?? null,
    a.proration,
    a.cancelMode ?? null,
    a.prorationDate ?? null,
  ]
  return `concord-preview.${VERSION}.${JSON.stringify([fields, b.issuedAt, b.billedSequence, b.price])}`
}

/** Signs a preview of `amendment` (its `prorationDate` the one billing priced at). */
export async function signPreview(
  secret: string,
  amendment: Amendment,
  basis: PreviewBasis,
): Promise<string> {
  const mac = await hmacSha256Hex(secret, signedText(amendment, basis))
  return [VERSION, basis.issuedAt, basis.billedSequence, basis.price, mac].join('.')
}

/** The basis a token vouches for, when it was made by one of `secrets` for exactly `amendment`. */
export async function openPreview(
  secrets: readonly string[],
  token: string,
  amendment: Amendment,
): Promise<PreviewBasis | undefined> {
  const m = TOKEN.exec(token)
  if (!m) return undefined
  const basis = { issuedAt: Number(m[1]), billedSequence: Number(m[2]), price: m[3] as string }
  for (const secret of secrets) {
    const mac = await hmacSha256Hex(secret, signedText(amendment, basis))
    if (constantTimeEqual(mac, m[4] as string)) return basis
  }
  return undefined
}

/**
 * Whether the amendment may still be billed as previewed; `undefined` when it may. Without a
 * token only the proration date's age is checked (a Flow may send one without a preview).
 */
export async function checkPreview(
  amendment: Amendment,
  secrets: readonly string[],
  now: PreviewNow,
): Promise<PreviewRefusal | undefined> {
  const oldest = now.now - now.maxAgeSeconds
  const minutes = Math.round(now.maxAgeSeconds / 60)
  const expired: PreviewRefusal = {
    code: 'preview_expired',
    message: `The preview is more than ${minutes} minutes old, so billing will not backdate the change to it. ${AGAIN}`,
  }
  if (amendment.prorationDate !== undefined && amendment.prorationDate < oldest) return expired
  if (amendment.previewToken === undefined) return undefined
  const basis = await openPreview(secrets, amendment.previewToken, amendment)
  if (!basis)
    return {
      code: 'preview_mismatch',
      message: `This change is not the one that was previewed (or its preview could not be verified). ${AGAIN}`,
    }
  if (basis.issuedAt < oldest) return expired
  if (basis.billedSequence !== now.billedSequence)
    return {
      code: 'preview_stale',
      message: `Another change to ${amendment.subscriptionKey} was billed after the preview (change #${now.billedSequence}), so its amounts no longer hold. ${AGAIN}`,
    }
  if (basis.price !== now.price)
    return {
      code: 'preview_price_changed',
      message: `The price ${amendment.priceKey ?? ''} changed in the catalog after the preview. ${AGAIN}`,
    }
  return undefined
}
