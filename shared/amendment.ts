import * as z from 'zod'
import { AccountId, SalesforceId } from './salesforce-id.ts'
import { AMENDMENT_ACTIONS, CANCEL_MODES, PRORATION_MODES } from './salesforce-schema.ts'

export const AmendmentAction = z.enum(AMENDMENT_ACTIONS)
export type AmendmentAction = z.infer<typeof AmendmentAction>
export const Proration = z.enum(PRORATION_MODES)
export type Proration = z.infer<typeof Proration>
export const CancelMode = z.enum(CANCEL_MODES)
export type CancelMode = z.infer<typeof CancelMode>

/** `YYYY-MM-DD`, a real calendar date. */
export const IsoDate = z.iso.date()

/**
 * A rep's change to one subscription, in Concord's own terms. Its `id` is the platform event's
 * `EventUuid` (the dedupe key everywhere); `sequence` orders it among the same subscription's
 * amendments.
 */
export const Amendment = z
  .object({
    id: z.uuid(),
    accountId: AccountId,
    subscriptionKey: z.string().trim().min(1).max(80),
    sequence: z.number().int().positive(),
    action: AmendmentAction,
    priceKey: z.string().trim().min(1).max(255).optional(),
    quantity: z.number().int().nonnegative().optional(),
    effectiveDate: IsoDate.optional(),
    proration: Proration.default('create_prorations'),
    /** Unix seconds the preview priced the change at; billing applies it at the same instant. */
    prorationDate: z.number().int().positive().optional(),
    /**
     * The preview's signed inputs (`POST /v1/amendments/preview` answers it): the billing step
     * refuses the amendment when they no longer hold. Absent when nothing was previewed.
     */
    previewToken: z.string().trim().min(1).max(255).optional(),
    cancelMode: CancelMode.optional(),
    correlationId: z.string().trim().min(1).max(64),
    requestedBy: SalesforceId.optional(),
    createdAt: z.iso.datetime({ offset: true }),
    /** Salesforce's replay id: a number (CometD) or a short opaque token (Pub/Sub API). */
    replayId: z.string().max(255).optional(),
  })
  .superRefine((a, ctx) => {
    const need = (field: 'priceKey' | 'quantity' | 'cancelMode', why: string) => {
      if (a[field] === undefined)
        ctx.addIssue({ code: 'custom', path: [field], message: `is required for ${why}` })
    }
    if (a.action === 'create') {
      need('priceKey', 'a create')
      need('quantity', 'a create')
    }
    if (a.action === 'change_quantity') need('quantity', 'a quantity change')
    if (a.action === 'change_price') need('priceKey', 'a price change')
    if (a.action === 'cancel') need('cancelMode', 'a cancel')
    if ((a.action === 'create' || a.action === 'change_quantity') && a.quantity === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['quantity'],
        message: 'must be at least 1 (cancel the subscription instead)',
      })
    }
    if (a.action === 'create' && a.sequence !== 1) {
      ctx.addIssue({ code: 'custom', path: ['sequence'], message: 'must be 1 for a create' })
    }
  })
export type Amendment = z.infer<typeof Amendment>
