import { Hono } from 'hono/tiny'
import { amendmentFromEvent } from '../../shared/index.ts'
import { ValidationError } from '../errors.ts'
import { toAppError } from '../failure/http.ts'
import { parseJson, readRawBody, type AppEnv } from './context.ts'
import { requireSignedRequest } from './signed.ts'

/**
 * `POST /v1/amendments/preview`: what an amendment would invoice, priced by billing, changing
 * nothing. The body is the event the rep is about to publish (no sequence or uuid yet). The
 * answer's `prorationDate` and `previewToken` go back in the event (`Proration_Date__c`,
 * `Preview_Token__c`): billing prices the change at the same instant, and the billing step
 * refuses it when what the preview was computed from no longer holds.
 */
export const amendments = new Hono<AppEnv>().post('/preview', async (c) => {
  const raw = await readRawBody(c, 64 * 1024)
  await requireSignedRequest(c, raw)
  const body = parseJson(raw)
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new ValidationError('Body must be one amendment object.')
  const fields = body as Record<string, unknown>
  const parsed = amendmentFromEvent({
    ...fields,
    EventUuid: crypto.randomUUID(),
    CreatedDate: new Date().toISOString(),
    Sequence__c: fields.Action__c === 'create' ? 1 : 2,
    Correlation_Id__c: fields.Correlation_Id__c ?? crypto.randomUUID(),
  })
  if (!parsed.ok) throw new ValidationError('The amendment is not valid.', parsed.errors)
  const amendment = parsed.amendment
  const { catalog } = c.get('config')
  if (amendment.priceKey && !catalog.prices[amendment.priceKey]) {
    throw new ValidationError('The amendment is not valid.', [
      {
        field: 'Price_Key__c',
        message: `"${amendment.priceKey}" is not in catalog ${catalog.version}`,
      },
    ])
  }
  const result = await c.env.ACCOUNT_LEDGER.getByName(amendment.accountId).preview(amendment)
  if (result.status === 'failed')
    throw toAppError(result, {
      unavailable: 'Billing could not price this right now; try again shortly.',
    })
  const p = result.preview
  return c.json({
    currency: p.currency,
    lines: p.lines.map((l) => ({
      description: l.description,
      amount: l.amount,
      quantity: l.quantity,
      proration: l.proration,
      periodStart: l.periodStart,
      periodEnd: l.periodEnd,
    })),
    subtotal: p.subtotal,
    total: p.total,
    tax: p.tax,
    taxReasons: p.taxReasons,
    amountDueNow: p.amountDue,
    prorationDate: p.prorationDate,
    previewToken: result.previewToken,
  })
})
