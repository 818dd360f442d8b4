import * as z from 'zod/mini'
import { AccountId, SalesforceId } from './salesforce-id.ts'
import {
  ACTIVATION_RULES,
  AMENDMENT_ACTIONS,
  CANCEL_MODES,
  PRORATION_MODES,
} from './salesforce-schema.ts'
import './zod-messages.ts'

export const AmendmentAction = z.enum(AMENDMENT_ACTIONS)
export type AmendmentAction = z.infer<typeof AmendmentAction>
export const Proration = z.enum(PRORATION_MODES)
export type Proration = z.infer<typeof Proration>
export const CancelMode = z.enum(CANCEL_MODES)
export type CancelMode = z.infer<typeof CancelMode>
export const ActivationRule = z.enum(ACTIVATION_RULES)
export type ActivationRule = z.infer<typeof ActivationRule>

/** `YYYY-MM-DD`, a real calendar date. */
export const IsoDate = z.iso.date()

/** Trimmed text of 1 to `max` characters. */
const text = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max))
const positiveInt = () => z.int().check(z.positive())

const AmendmentFields = z.object({
  id: z.uuid(),
  accountId: AccountId,
  subscriptionKey: text(80),
  sequence: positiveInt(),
  action: AmendmentAction,
  priceKey: z.optional(text(255)),
  quantity: z.optional(z.int().check(z.nonnegative())),
  effectiveDate: z.optional(IsoDate),
  proration: z._default(Proration, 'create_prorations'),
  /** Unix seconds the preview priced the change at; billing applies it at the same instant. */
  prorationDate: z.optional(positiveInt()),
  /**
   * The preview's signed inputs (`POST /v1/amendments/preview` answers it): the billing step
   * refuses the amendment when they no longer hold. Absent when nothing was previewed.
   */
  previewToken: z.optional(text(255)),
  cancelMode: z.optional(CancelMode),
  correlationId: text(64),
  requestedBy: z.optional(SalesforceId),
  createdAt: z.iso.datetime({ offset: true }),
  /** Salesforce's replay id: a number (CometD) or a short opaque token (Pub/Sub API). */
  replayId: z.optional(z.string().check(z.maxLength(255))),
  /** When the subscription counts as activated; a create's only (absent: the configured default). */
  activationRule: z.optional(ActivationRule),
})

/** The fields each action needs, and the values no action may carry. */
function checkAction(ctx: z.core.ParsePayload<z.output<typeof AmendmentFields>>) {
  const a = ctx.value
  const issue = (path: string, message: string) =>
    ctx.issues.push({ code: 'custom', path: [path], message, input: a })
  const need = (field: 'priceKey' | 'quantity' | 'cancelMode', why: string) => {
    if (a[field] === undefined) issue(field, `is required for ${why}`)
  }
  if (a.action === 'create') {
    need('priceKey', 'a create')
    need('quantity', 'a create')
  }
  if (a.action === 'change_quantity') need('quantity', 'a quantity change')
  if (a.action === 'change_price') need('priceKey', 'a price change')
  if (a.action === 'cancel') need('cancelMode', 'a cancel')
  if ((a.action === 'create' || a.action === 'change_quantity') && a.quantity === 0) {
    issue('quantity', 'must be at least 1 (cancel the subscription instead)')
  }
  if (a.action === 'create' && a.sequence !== 1) issue('sequence', 'must be 1 for a create')
}

/**
 * A rep's change to one subscription, in Concord's own terms. Its `id` is the platform event's
 * `EventUuid` (the dedupe key everywhere); `sequence` orders it among the same subscription's
 * amendments.
 */
export const Amendment = AmendmentFields.check(checkAction)
export type Amendment = z.infer<typeof Amendment>
