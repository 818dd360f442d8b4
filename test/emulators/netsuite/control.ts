import type { EmuResponse } from '../common/router.ts'
import type { TokenStore } from './auth/oauth2.ts'
import type { ConcurrencyGate } from './concurrency.ts'
import { catching, NetsuiteError } from './errors.ts'
import { invoiceRemaining } from './records/ar.ts'
import type { RecordContext } from './records/model.ts'
import { defOf, recordDef } from './records/registry.ts'
import { serializeRecord } from './records/serialize.ts'
import { applyBody } from './records/write.ts'
import { createRecord, loadSeed } from './seed.ts'
import type { NsRecord } from './store.ts'

export interface ControlDeps {
  ctx: RecordContext
  gate: ConcurrencyGate
  tokens: TokenStore
  baseUrl(): string
}

type Body = Record<string, unknown>

/** A record by internal id (number or digits) or `eid:<externalId>`. */
export function findRecord(ctx: RecordContext, type: string, ref: unknown): NsRecord | undefined {
  if (typeof ref === 'string' && ref.startsWith('eid:'))
    return ctx.store.byExternalId(type, ref.slice(4))
  const id =
    typeof ref === 'number'
      ? ref
      : typeof ref === 'string' && /^\d+$/.test(ref)
        ? Number(ref)
        : undefined
  return id === undefined ? undefined : ctx.store.get(type, id)
}

function mustFind(ctx: RecordContext, type: string, ref: unknown): NsRecord {
  const record = findRecord(ctx, type, ref)
  if (!record) throw new NetsuiteError(404, 'NONEXISTENT_ID', `No ${type} ${String(ref)}.`)
  return record
}

const ok = (body: unknown): EmuResponse => ({ status: 200, body })

/** Applies a partial update outside REST (no effect recorded), bumping lastmodifieddate. */
function patch(ctx: RecordContext, record: NsRecord, body: Body): void {
  const next = applyBody(defOf(record.type), record, body, new Set(), ctx)
  ctx.store.update(record, next)
}

/**
 * Vendor control actions at `POST /__control/netsuite/<action>`:
 * - `seed` {NetsuiteSeed} — add records (see `seed.ts`); answers the ids created.
 * - `add-invoice` {customer: id|"eid:X", amount | item, dueDate?, tranDate?, externalId?, memo?}
 * - `pay-invoice` {invoice: id|"eid:X", amount? (default: all remaining), tranDate?} — a customer
 *   payment applied to it, which bumps the invoice's lastmodifieddate (drives AR deltas).
 * - `credit-hold` {customer, value: "ON"|"OFF"|"AUTO"}
 * - `touch` {type, ref} — bump a record's lastmodifieddate
 * - `edit` {type, ref, body} — a person's change in the UI: the body applied as a PATCH would
 * - `delete` {type, ref} — a person deletes the record in the UI
 * - `record` {type, ref} — the record as REST shows it (expanded), bypassing auth and governance
 * - `concurrency` {limit?, latencyMs?, resetCounters?} — answers the gate's counters
 * - `expire-tokens` — every issued access token stops working now
 * - `clock` {now?: ISO, advanceMs?, advanceDays?, freeze?: boolean}
 * None of these record effects: they stand for changes made inside NetSuite, not by a client.
 */
export function runControl(
  deps: ControlDeps,
  action: string,
  input: unknown,
): Promise<EmuResponse> | undefined {
  const body = (input ?? {}) as Body
  const { ctx } = deps
  const run = (fn: () => EmuResponse) =>
    catching(() => {
      try {
        return fn()
      } catch (err) {
        if (err instanceof NetsuiteError) throw err
        return { status: 400, body: { error: (err as Error).message } }
      }
    })
  switch (action) {
    case 'seed':
      return run(() => ok({ created: loadSeed(ctx, body) }))
    case 'add-invoice':
      return run(() => {
        const { customer, ...rest } = body
        const invoice = createRecord(ctx, 'invoice', { ...rest, entity: customer })
        return ok({
          id: invoice.id,
          tranId: invoice.fields.tranId,
          externalId: invoice.externalId,
          total: invoiceRemaining(ctx.store, invoice),
        })
      })
    case 'pay-invoice':
      return run(() => {
        const invoice = mustFind(ctx, 'invoice', body.invoice)
        const amount =
          typeof body.amount === 'number' ? body.amount : invoiceRemaining(ctx.store, invoice)
        const payment = createRecord(ctx, 'customerpayment', {
          customer: invoice.fields.entity,
          payment: amount,
          ...(typeof body.tranDate === 'string' ? { tranDate: body.tranDate } : {}),
          apply: { items: [{ doc: { id: String(invoice.id) }, apply: true, amount }] },
        })
        return ok({
          paymentId: payment.id,
          invoice: { id: invoice.id, amountRemaining: invoiceRemaining(ctx.store, invoice) },
        })
      })
    case 'credit-hold':
      return run(() => {
        const customer = mustFind(ctx, 'customer', body.customer)
        patch(ctx, customer, { creditHoldOverride: body.value })
        return ok({ id: customer.id, creditHoldOverride: customer.fields.creditHoldOverride })
      })
    case 'touch':
      return run(() => {
        const record = mustFind(ctx, defOf(String(body.type)).id, body.ref)
        ctx.store.touch(record)
        return ok({ id: record.id, lastModified: new Date(record.lastModifiedAt).toISOString() })
      })
    case 'edit':
      return run(() => {
        const record = mustFind(ctx, defOf(String(body.type)).id, body.ref)
        patch(ctx, record, (body.body ?? {}) as Body)
        return ok({ id: record.id, lastModified: new Date(record.lastModifiedAt).toISOString() })
      })
    case 'delete':
      return run(() => {
        const record = mustFind(ctx, defOf(String(body.type)).id, body.ref)
        ctx.store.remove(record)
        return ok({ id: record.id, deleted: true })
      })
    case 'record':
      return run(() => {
        const def = recordDef(String(body.type))
        if (!def)
          throw new NetsuiteError(
            404,
            'INVALID_RCRD_TYPE',
            `Record type '${String(body.type)}' does not exist.`,
          )
        return ok(serializeRecord(def, mustFind(ctx, def.id, body.ref), ctx, deps.baseUrl(), true))
      })
    case 'concurrency':
      return run(() => {
        deps.gate.configure(body)
        if (body.resetCounters) deps.gate.resetCounters()
        return ok(deps.gate.state())
      })
    case 'expire-tokens':
      return run(() => ok({ expired: deps.tokens.expireAll() }))
    case 'clock':
      return run(() => {
        if (typeof body.now === 'string') ctx.clock.set(body.now)
        if (typeof body.advanceMs === 'number') ctx.clock.advance(body.advanceMs)
        if (typeof body.advanceDays === 'number') ctx.clock.advance(body.advanceDays * 86_400_000)
        if (typeof body.freeze === 'boolean') ctx.clock.freeze(body.freeze)
        return ok(ctx.clock.state())
      })
    default:
      return undefined
  }
}
