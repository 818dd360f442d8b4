import { NetsuiteError } from '../errors.ts'
import type { NsRecord } from '../store.ts'
import { invoiceRemaining, lineAmount } from './ar.ts'
import { round2, type RecordContext } from './model.ts'

/**
 * The body a `POST …/invoice/{id}/!transform/creditMemo` saves as a new credit memo: the
 * invoice's customer, currency, subsidiary and lines, `createdFrom` the invoice and applied to
 * what it still owes, with the request body's fields on top
 * (https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_157901123882.html).
 * Simplified: an `item` sublist in the body replaces the invoice's lines instead of editing
 * them, which is how a partial credit is asked for.
 * @throws NetsuiteError 400 for a pair the emulator does not transform.
 */
export function transformBody(
  ctx: RecordContext,
  source: NsRecord,
  target: string,
  overrides: Record<string, unknown>,
): Record<string, unknown> {
  if (source.type !== 'invoice' || target.toLowerCase() !== 'creditmemo')
    throw new NetsuiteError(
      400,
      'INVALID_TRANSFORM',
      `Transformation from ${source.type} to ${target} is not supported.`,
    )
  const lines = (source.lines.item ?? []).map(({ line: _line, ...rest }) => rest)
  const items = (overrides.item as { items?: Record<string, unknown>[] } | undefined)?.items
  const total = round2(
    (items ?? lines).reduce(
      (sum, l) =>
        sum +
        (typeof l.amount === 'number'
          ? l.amount
          : lineAmount(l as Parameters<typeof lineAmount>[0])),
      0,
    ),
  )
  const remaining = invoiceRemaining(ctx.store, source)
  const apply =
    remaining > 0
      ? {
          items: [
            { doc: { id: String(source.id) }, apply: true, amount: Math.min(total, remaining) },
          ],
        }
      : undefined
  return {
    entity: source.fields.entity,
    currency: source.fields.currency,
    subsidiary: source.fields.subsidiary,
    createdFrom: { id: String(source.id) },
    item: { items: lines },
    ...(apply ? { apply } : {}),
    ...overrides,
  }
}
