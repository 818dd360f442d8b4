import { ConnectorError } from '../../failure/errors.ts'
import type { BillingPriceFacts, CatalogBilling } from '../catalog.ts'
import type { StripeClient } from './client.ts'

interface PriceAnswer {
  id: string
  active: boolean
  currency: string
  unit_amount: number | null
  recurring: { interval: string } | null
}

/**
 * One price by id (`GET /v1/prices/:id`, https://docs.stripe.com/api/prices/retrieve): `active`
 * false means it "can't be used for new purchases", so a subscription change onto it fails.
 * Undefined when Stripe answers `resource_missing`.
 * @throws ConnectorError
 */
export async function readPrice(
  client: StripeClient,
  id: string,
): Promise<BillingPriceFacts | undefined> {
  try {
    const p = await client.get<PriceAnswer>(`/v1/prices/${encodeURIComponent(id)}`)
    return {
      id: p.id,
      active: p.active,
      currency: p.currency.toUpperCase(),
      unitAmount: p.unit_amount,
      interval: p.recurring?.interval ?? null,
    }
  } catch (err) {
    if (err instanceof ConnectorError && err.code === 'resource_missing') return undefined
    throw err
  }
}

export function stripeCatalog(client: StripeClient): CatalogBilling {
  return { price: (id) => readPrice(client, id) }
}
