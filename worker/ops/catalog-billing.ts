import type { CatalogEntry, CatalogFinding, CatalogSystem } from '../../shared/index.ts'
import type { BillingPriceFacts, CatalogBilling } from '../connectors/catalog.ts'
import { ConnectorError } from '../failure/errors.ts'

const SYSTEM_NAMES: Record<Exclude<CatalogSystem, 'catalog'>, string> = {
  billing: 'Stripe',
  erp: 'NetSuite',
  salesforce: 'Salesforce',
}

/**
 * A system that could not be read: its side of the check is incomplete. The finding carries
 * the error's stable code, never its message (vendor detail stays in the logs).
 */
export function unavailable(
  system: Exclude<CatalogSystem, 'catalog'>,
  err: unknown,
): CatalogFinding {
  const code = err instanceof ConnectorError ? err.code : 'internal'
  return {
    system,
    code: 'system_unavailable',
    severity: 'error',
    message: `${SYSTEM_NAMES[system]} could not be read (${code}): its side of the check is incomplete.`,
    fix: `Run \`sf concord doctor\` to check the ${SYSTEM_NAMES[system]} connection, then run the check again.`,
  }
}

/** Reads tried per system call: a transient failure (429, 5xx, lost answer) is tried again. */
const ATTEMPTS = 3

/**
 * `read()`, tried again after a transient failure (after its `Retry-After`, else 0.5 s, then
 * 1 s; at most 2 s), so one busy moment of a vendor does not blank its side of the check.
 * @throws the last error, or the first that is not transient
 */
export async function withRetry<T>(read: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read()
    } catch (err) {
      // A system that is not (or wrongly) configured stays so: no second try.
      const transient =
        err instanceof ConnectorError &&
        err.kind === 'transient' &&
        err.code !== 'not_configured' &&
        err.code !== 'misconfigured'
      if (!transient || attempt >= ATTEMPTS) throw err
      const wait = Math.min(err.retryAfterMs ?? 500 * 2 ** (attempt - 1), 2000)
      await new Promise((resolve) => setTimeout(resolve, wait))
    }
  }
}

/** Prices read at once: well inside Stripe's read rate limit. */
const CONCURRENCY = 4

/** What is wrong with one offer's billing price, compared with the catalog. */
function priceFindings(
  key: string,
  e: CatalogEntry,
  price: BillingPriceFacts | undefined,
): CatalogFinding[] {
  const at = (code: CatalogFinding['code'], message: string, fix: string): CatalogFinding => ({
    offer: key,
    system: 'billing',
    code,
    severity: 'error',
    message,
    fix,
  })
  const id = e.billingPriceId
  if (!price)
    return [
      at(
        'price_missing',
        `Stripe has no price ${id}: amendments of ${key} would park.`,
        `Create the price in Stripe (or correct billingPriceId of ${key} in CATALOG) and bump the catalog version.`,
      ),
    ]
  const out: CatalogFinding[] = []
  if (!price.active)
    out.push(
      at(
        'price_inactive',
        `Stripe price ${id} is archived (active: false): new subscriptions and changes onto ${key} would park.`,
        `Unarchive ${id} in Stripe, or map ${key} to its replacement price and bump the catalog version.`,
      ),
    )
  if (price.currency !== e.currency)
    out.push(
      at(
        'currency_mismatch',
        `Stripe price ${id} is in ${price.currency}; the catalog sells ${key} in ${e.currency}.`,
        `Map ${key} to a ${e.currency} price (Stripe prices cannot change currency), or correct its currency in CATALOG.`,
      ),
    )
  if (e.unitAmount !== undefined && price.unitAmount !== e.unitAmount)
    out.push(
      at(
        'unit_amount_mismatch',
        `Stripe price ${id} charges ${price.unitAmount ?? 'no fixed amount'} (minor units); the catalog shows reps ${e.unitAmount}.`,
        `Correct unitAmount of ${key} in CATALOG to ${price.unitAmount ?? '(remove it)'}, or map ${key} to a price at ${e.unitAmount}.`,
      ),
    )
  if (price.interval !== e.interval)
    out.push(
      at(
        'interval_mismatch',
        `Stripe price ${id} bills per ${price.interval ?? 'one-time'}; the catalog says ${e.interval}.`,
        `Map ${key} to a price billed per ${e.interval}, or correct its interval in CATALOG.`,
      ),
    )
  return out
}

/**
 * Stripe: each offer's price exists, is active, and has the catalog's currency, amount and
 * interval. The first failure to read stops the billing side with one `system_unavailable`.
 */
export async function billingFindings(
  offers: ReadonlyArray<[string, CatalogEntry]>,
  billing: CatalogBilling,
): Promise<CatalogFinding[]> {
  const out: CatalogFinding[] = []
  try {
    for (let i = 0; i < offers.length; i += CONCURRENCY) {
      const batch = offers.slice(i, i + CONCURRENCY)
      const prices = await Promise.all(
        batch.map(([, e]) => withRetry(() => billing.price(e.billingPriceId))),
      )
      batch.forEach(([key, e], j) => out.push(...priceFindings(key, e, prices[j])))
    }
  } catch (err) {
    return [unavailable('billing', err)]
  }
  return out
}
