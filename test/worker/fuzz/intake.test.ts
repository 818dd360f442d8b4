import { exports } from 'cloudflare:workers'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { toId18, type FieldError, type IntakeResponse } from '../../../shared/index.ts'
import { MAX_INTAKE_BYTES } from '../../../worker/routes/salesforce-events.ts'
import { DoubleConnectors } from '../../doubles/connectors.ts'
import {
  amendmentChain,
  drain,
  ledger,
  newAccountId,
  postEvents,
  useRecordSink,
} from '../support/helpers.ts'
import { vendors } from '../support/vendors.ts'
import { useConnectorFactory } from '../support/wiring.ts'
import {
  intakeRequest,
  signatureAccepted,
  signatureHeaders,
  type IntakeRequest,
} from './intake-requests.ts'
import {
  FUZZ_SEED,
  Figures,
  PRODUCTION_ROW_LIMIT,
  fuzz,
  largestAmendment,
  leakIn,
  quarantineRows,
  reasonOf,
} from './support.ts'
import { alnum } from './values.ts'

/** Requests per run: about 70 events each on average, so over 10,000 events in all. */
const RUNS = 180

const figures = new Figures()
/** Every refused event's quarantine id, with the reasons the response gave. */
const refused = new Map<string, FieldError[]>()
let doubles: DoubleConnectors

beforeAll(() => {
  doubles = new DoubleConnectors()
  useConnectorFactory(() => doubles)
  useRecordSink(doubles.writer)
})
afterAll(() => {
  useConnectorFactory()
  vi.restoreAllMocks()
})

/** A few accounts the near-valid events belong to, in both id forms, from the seed. */
const accounts = fc
  .sample(alnum(12), { seed: FUZZ_SEED, numRuns: 4 })
  .flatMap((s) => [`001${s}`, toId18(`001${s}`)])
const priceKeys = () =>
  Object.keys((JSON.parse(vendors().bindings.CATALOG ?? '{}') as { prices?: object }).prices ?? {})

function expectedStatus(req: IntakeRequest): number {
  if (req.method !== 'POST') return 404
  if (new TextEncoder().encode(req.body.text).byteLength > MAX_INTAKE_BYTES) return 413
  if (!signatureAccepted(req.signature)) return 401
  if (req.body.kind === 'batch') return 200
  return req.body.kind === 'too-many' ? 413 : 400
}

/** Sends one generated request and checks the answer; throws what is wrong with it. */
async function check(req: IntakeRequest): Promise<void> {
  const headers = {
    ...(req.contentType ? { 'content-type': req.contentType } : {}),
    ...(await signatureHeaders(req.signature, req.body.text)),
  }
  const res = await exports.default.fetch('https://concord.test/v1/salesforce/events', {
    method: req.method,
    headers,
    body: req.method === 'GET' ? undefined : req.body.text,
  })
  const text = await res.text()
  figures.count(res.status)
  figures.bodies += req.body.kind === 'batch' ? req.body.events.length : 1
  const fail = (why: string) =>
    new Error(`${why}\n→ ${res.status} ${text.slice(0, 600)}\n← ${req.body.text.slice(0, 600)}`)
  const leak = leakIn(text, req.body.text)
  if (leak) throw fail(leak)
  const expected = expectedStatus(req)
  if (res.status !== expected) throw fail(`expected ${expected} (signature ${req.signature.kind})`)
  if (res.status !== 200) {
    const reason = reasonOf(text)
    if (!reason.ok) throw fail(reason.why)
    figures.refusals++
    return
  }
  const events = req.body.kind === 'batch' ? req.body.events : []
  const { results } = JSON.parse(text) as IntakeResponse
  if (results.length !== events.length) throw fail('not one result per event')
  results.forEach((r, i) => {
    if (r.index !== i) throw fail(`result ${i} has index ${r.index}`)
    if (r.status === 'failed') throw fail(`event ${i} failed (not stored)`)
    if (events[i]?.mustReject && r.status !== 'rejected') throw fail(`event ${i} is not rejected`)
    if (r.status !== 'rejected') return
    const reasoned = r.errors.length > 0 && r.errors.every((e) => e.field && e.message)
    if (!r.quarantineId || !reasoned) throw fail(`event ${i} is refused without a reason`)
    if (refused.has(r.quarantineId)) throw fail(`quarantine id ${r.quarantineId} given twice`)
    refused.set(r.quarantineId, r.errors)
    figures.refusals++
  })
}

describe('fuzz: POST /v1/salesforce/events', () => {
  it('answers every generated request without a 5xx, with a reason for each refusal, and quarantines each refused event', async () => {
    const startedAt = Date.now()
    const before = await quarantineRows('salesforce.intake')
    await fuzz('intake', intakeRequest(accounts, priceKeys()), check, RUNS)
    const after = await quarantineRows('salesforce.intake')
    figures.quarantined = after.length - before.length
    figures.print('intake', startedAt)
    expect(figures.serverErrors).toBe(0)
    expect(figures.bodies).toBeGreaterThanOrEqual(8_000)
    expect(figures.quarantined).toBe(refused.size)
    const stored = new Map(after.map((row) => [row.id, JSON.parse(row.reasons) as unknown]))
    for (const [id, errors] of refused) expect(stored.get(id), id).toEqual(errors)
    expect(Math.max(0, ...after.map((row) => row.bytes))).toBeLessThan(PRODUCTION_ROW_LIMIT)
    for (const account of accounts)
      expect(await largestAmendment(account)).toBeLessThan(PRODUCTION_ROW_LIMIT)
  }, 240_000)

  it('still applies a good amendment after the fuzz', async () => {
    const account = newAccountId()
    const [create, change] = amendmentChain(2, { Account_Id__c: account })
    const res = await postEvents([create, change])
    expect(res.status).toBe(200)
    expect((await res.json<IntakeResponse>()).counts).toEqual({ queued: 2 })
    await drain(account)
    expect(doubles.statuses.get(change?.EventUuid as string)?.status).toBe('applied')
    const summary = await ledger(account).summary()
    expect(summary?.subscriptions[0]).toMatchObject({ appliedSequence: 2 })
  })
})
