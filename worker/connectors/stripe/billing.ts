import type {
  AccountProfile,
  BillingPlan,
  BillingResult,
  BillingSystem,
  CustomerMatch,
  ProrationPreview,
  StepContext,
} from '../types.ts'
import { applyAmendment, dryRunAmendment, type ApplyInput } from './amendments.ts'
import type { StripeClient } from './client.ts'
import { ensureCustomer } from './customers.ts'
import { previewAmendment } from './preview.ts'

/**
 * `BillingSystem` on Stripe Billing. Each method may throw `ConnectorError`: `transient` (429,
 * 409, 5xx, network, timeout; `retryAfterMs` from `Retry-After`) or `business` (400, 402, 404,
 * and Concord's own refusals such as `subscription_not_found`).
 */
export class StripeBilling implements BillingSystem {
  private readonly client: StripeClient

  constructor(client: StripeClient) {
    this.client = client
  }

  /**
   * Finds the customer by `metadata['sf_account_id']`, links the one unclaimed customer with the
   * Account's email, or creates it under `ctx.idempotencyKey` (`customers.ts`).
   */
  ensureCustomer(
    account: AccountProfile,
    ctx: StepContext,
    chosen?: string,
  ): Promise<{ customerId: string; match?: CustomerMatch }> {
    return ensureCustomer(this.client, account, ctx, chosen)
  }

  /**
   * Applies one amendment. Accepts the preview's `prorationDate` beside the interface's fields,
   * so an apply can bill exactly what was previewed.
   */
  applyAmendment(input: ApplyInput, ctx: StepContext): Promise<BillingResult> {
    return applyAmendment(this.client, input, ctx)
  }

  /** Prices an amendment without changing anything; pass `prorationDate` back to the apply. */
  previewAmendment(input: ApplyInput): Promise<ProrationPreview> {
    return previewAmendment(this.client, input)
  }

  /** The calls `applyAmendment` would make now, priced, changing nothing. */
  planAmendment(
    input: Omit<ApplyInput, 'customerId'> & { customerId?: string; priceAt?: number },
    ctx: StepContext,
  ): Promise<BillingPlan> {
    return dryRunAmendment(this.client, input, ctx)
  }
}
