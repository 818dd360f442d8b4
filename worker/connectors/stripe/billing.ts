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
import { prepareTax } from './tax.ts'

/**
 * `BillingSystem` on Stripe Billing. Each method may throw `ConnectorError`: `transient` (429,
 * 409, 5xx, network, timeout; `retryAfterMs` from `Retry-After`) or `business` (400, 402, 404,
 * and Concord's own refusals such as `subscription_not_found`).
 */
export class StripeBilling implements BillingSystem {
  private readonly client: StripeClient
  /** `STRIPE_TAX=automatic`: subscriptions are created (and previewed) with Stripe Tax. */
  private readonly automaticTax: boolean
  readonly prepareTax?: BillingSystem['prepareTax']

  constructor(client: StripeClient, options: { automaticTax?: boolean } = {}) {
    this.client = client
    this.automaticTax = options.automaticTax ?? false
    if (this.automaticTax)
      this.prepareTax = (account, customerId, ctx) => prepareTax(client, account, customerId, ctx)
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
    return applyAmendment(this.client, { ...input, automaticTax: this.automaticTax }, ctx)
  }

  /** Prices an amendment without changing anything; pass `prorationDate` back to the apply. */
  previewAmendment(input: ApplyInput): Promise<ProrationPreview> {
    return previewAmendment(this.client, { ...input, automaticTax: this.automaticTax })
  }

  /** The calls `applyAmendment` would make now, priced, changing nothing. */
  planAmendment(
    input: Omit<ApplyInput, 'customerId'> & { customerId?: string; priceAt?: number },
    ctx: StepContext,
  ): Promise<BillingPlan> {
    return dryRunAmendment(this.client, { ...input, automaticTax: this.automaticTax }, ctx)
  }
}
