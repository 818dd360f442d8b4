import { signRequest } from '../../worker/lib/signature.ts'
import type { PlannedAmendment } from './amendment-load.ts'
import { percentile } from './report.ts'
import type { BenchStack } from './stack.ts'
import { writerStatus } from './vendors-api.ts'

const MAX_TRIES = 5

interface IntakeAnswer {
  results?: Array<{ eventUuid?: string; status?: string; errors?: unknown }>
}

/**
 * Posts a batch to `POST /v1/salesforce/events` signed as the Apex Queueable signs it (the one
 * place this bench signs a request), and resolves once the worker answered every event `queued`
 * (or `duplicate`: stored by an earlier try). A 503 (some events not stored) is sent again after
 * its `Retry-After` (at most 2 s here), as Apex would.
 * @returns the round trip of the try that was taken, in ms.
 * @throws Error when an event is rejected, or the batch is still refused after five tries.
 */
export async function postAmendments(
  stack: BenchStack,
  secret: string,
  batch: Array<Pick<PlannedAmendment, 'event'>>,
): Promise<number> {
  const body = JSON.stringify({ events: batch.map((a) => a.event) })
  for (let attempt = 1; ; attempt++) {
    const sent = Date.now()
    const res = await fetch(`${stack.workerUrl}/v1/salesforce/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(await signRequest(secret, { method: 'POST', target: '/v1/salesforce/events', body })),
      },
      body,
    })
    const text = await res.text()
    if (res.status === 503 && attempt < MAX_TRIES) {
      const wait = Math.min(2, Number(res.headers.get('retry-after') ?? 1)) * 1000
      await new Promise((r) => setTimeout(r, wait))
      continue
    }
    if (res.status !== 200) throw new Error(`intake: ${res.status} ${text.slice(0, 500)}`)
    const answer = JSON.parse(text) as IntakeAnswer
    const refused = (answer.results ?? []).find(
      (r) => r.status !== 'queued' && r.status !== 'duplicate',
    )
    if (refused || answer.results?.length !== batch.length)
      throw new Error(`intake refused an event: ${JSON.stringify(refused ?? answer).slice(0, 500)}`)
    return Date.now() - sent
  }
}

/**
 * When Concord applied each amendment: the `Updated_At__c` of its `Subscription_Sync__c` row
 * once that row says `applied` (the ledger stamps it in the step that marks the amendment
 * applied, after billing and ERP), read from the Salesforce emulator. Rows in any other state
 * are returned too, for the report.
 */
export function concordOutcome(
  stack: BenchStack,
  ids: Set<string>,
): {
  appliedAt: Map<string, number>
  others: Array<{ id: string; status: string; error?: string }>
} {
  const appliedAt = new Map<string, number>()
  const others: Array<{ id: string; status: string; error?: string }> = []
  for (const row of stack.vendors.salesforce.sf.records('Subscription_Sync__c')) {
    const id = row.External_Id__c
    if (typeof id !== 'string' || !ids.has(id)) continue
    if (row.Status__c === 'applied' && typeof row.Updated_At__c === 'string')
      appliedAt.set(id, Date.parse(row.Updated_At__c))
    else
      others.push({
        id,
        status: String(row.Status__c),
        error: typeof row.Error_Message__c === 'string' ? row.Error_Message__c : undefined,
      })
  }
  return { appliedAt, others }
}

/** Waits until the OrgWriter holds nothing (every status and record written), or the deadline. */
export async function writerSettled(stack: BenchStack, deadline: number): Promise<boolean> {
  while (Date.now() < deadline) {
    const w = await writerStatus(stack)
    if (w.pending === 0 && w.hints === 0) return true
    await new Promise((r) => setTimeout(r, 200))
  }
  return false
}

/** Median time an amendment spent in each part of Concord's saga (ms), from its audit trail. */
export interface StepTimes {
  sampled: number
  /** received → its work began (`xref_done`): waiting behind earlier amendments, the alarm, and the cross-references for an account's first. */
  waiting?: number
  /** `xref_done` → `billed`: the Stripe step, its reads included. */
  billing?: number
  /** `billed` → `posted`: the NetSuite step, its reads and the concurrency gate included. */
  erp?: number
  /** `posted` → `applied`. */
  status?: number
}

/**
 * Reads up to `sample` amendments' audit trails through the operator API
 * (`GET /v1/accounts/:id/amendments/:id`, not a vendor call) and takes the median of each part.
 */
export async function stepTimes(
  stack: BenchStack,
  planned: PlannedAmendment[],
  sample: number,
): Promise<StepTimes> {
  const every = Math.max(1, Math.floor(planned.length / sample))
  const picked = planned.filter((_, i) => i % every === 0).slice(0, sample)
  const parts: Record<'waiting' | 'billing' | 'erp' | 'status', number[]> = {
    waiting: [],
    billing: [],
    erp: [],
    status: [],
  }
  for (const a of picked) {
    const res = await fetch(`${stack.workerUrl}/v1/accounts/${a.accountId}/amendments/${a.id}`, {
      headers: { authorization: `Bearer ${stack.operatorToken}` },
    })
    if (!res.ok) continue
    const detail = (await res.json()) as { audit?: Array<{ at: string; action: string }> }
    const at = new Map((detail.audit ?? []).map((l) => [l.action, Date.parse(l.at)]))
    const span = (from: string, to: string) => {
      const a0 = at.get(from)
      const a1 = at.get(to)
      return a0 !== undefined && a1 !== undefined ? [a1 - a0] : []
    }
    parts.waiting.push(...span('received', 'xref_done'))
    parts.billing.push(...span('xref_done', 'billed'))
    parts.erp.push(...span('billed', 'posted'))
    parts.status.push(...span('posted', 'applied'))
  }
  return {
    sampled: picked.length,
    waiting: percentile(parts.waiting, 50),
    billing: percentile(parts.billing, 50),
    erp: percentile(parts.erp, 50),
    status: percentile(parts.status, 50),
  }
}
