import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type {
  AmendmentDetail,
  BackfillStatus,
  DriftReport,
  ExceptionEntry,
  SubscriberStatus,
  WriterStatus,
} from '../../src/lib/worker-types.ts'

/**
 * A stand-in for the worker's operator API, answering the documented shapes (README "HTTP API")
 * from state a test sets, with the worker's auth rule (SHA-256 of the bearer token, viewer or
 * operator) and its error body `{error:{code,message,requestId}}`. The real worker takes a
 * bundle and `wrangler dev` to start; `real-worker.test.ts` covers it once.
 */
export interface FakeWorkerState {
  tokens: Array<{ sha256: string; role: 'viewer' | 'operator' }>
  healthy: boolean
  /** What /healthz names; undefined like a worker from before the version was there. */
  version?: string
  writer: WriterStatus
  subscriber: SubscriberStatus
  quarantine: Array<{ id: string; reason: string }>
  /**
   * Every amendment the ledgers hold, by account; `indexed` when the exception index has it,
   * `traced` when the trace index does (amendments taken before it existed are not).
   */
  amendments: Array<AmendmentDetail & { accountId: string; indexed: boolean; traced: boolean }>
  backfill: BackfillStatus
  /** How many GETs of /v1/backfill move a running backfill forward by one account. */
  backfillStep: number
  /** What the next `POST /v1/reconcile` finds, and every report so far (newest first). */
  drift: DriftReport['findings']
  reconcileReports: DriftReport[]
  requests: Array<{ method: string; path: string; authorization?: string; body?: unknown }>
  /** SALESFORCE_EVENTS_SECRET (and _PREVIOUS): `GET /v1/salesforce/ping` verifies with these. */
  eventsSecrets: string[]
}

export interface FakeWorker {
  url: string
  state: FakeWorkerState
  close(): Promise<void>
}

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex')
const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString()

function initialState(token: string): FakeWorkerState {
  return {
    tokens: [{ sha256: sha256(token), role: 'operator' }],
    healthy: true,
    writer: {
      pending: 0,
      parked: [],
      calls24h: 3,
      usage: { used: 120, max: 100000 },
      intervalMs: 2000,
    },
    subscriber: {
      channel: '/event/Subscription_Amendment__e',
      health: 'ok',
      running: false,
      replayId: 41,
      lastEventAt: iso(3_600_000),
      consecutiveFailures: 0,
      lastRun: {
        id: 7,
        trigger: 'cron',
        startedAt: iso(70_000),
        finishedAt: iso(60_000),
        outcome: 'drained',
        fromReplayId: 40,
        toReplayId: 41,
      },
      recentRuns: [
        {
          id: 7,
          trigger: 'cron',
          startedAt: iso(70_000),
          finishedAt: iso(60_000),
          outcome: 'drained',
          fromReplayId: 40,
          toReplayId: 41,
        },
      ],
      openGaps: 0,
    },
    quarantine: [],
    amendments: [],
    backfill: {
      state: 'idle',
      done: 0,
      total: 0,
      counting: false,
      invoices: 0,
      payments: 0,
      failed: [],
    },
    backfillStep: 1,
    drift: [],
    reconcileReports: [],
    requests: [],
    eventsSecrets: [],
  }
}

const entry = (a: FakeWorkerState['amendments'][number]): ExceptionEntry => ({
  amendmentId: a.id,
  accountId: a.accountId,
  subscriptionKey: a.subscriptionKey,
  sequence: a.sequence,
  action: a.action,
  state: a.state,
  code: a.errorCode ?? null,
  message: a.errorMessage ?? null,
  correlationId: a.correlationId,
  updatedAt: a.updatedAt,
})

class HttpError extends Error {
  readonly status: number
  readonly code: string
  constructor(status: number, code: string, message: string) {
    super(message)
    this.status = status
    this.code = code
  }
}

/** The work queue's answer (no `state`): parked amendments as items, `accountId` and `q` filters. */
function workQueue(state: FakeWorkerState, query: URLSearchParams) {
  const account = query.get('accountId')
  const q = query.get('q')
  const items = state.amendments
    .filter((a) => a.indexed && a.state === 'parked' && (!account || a.accountId === account))
    .filter((a) => !q || [a.id, a.correlationId, a.accountId].includes(q))
    .map((a) => ({
      id: `amendment:${a.id}`,
      kind: 'amendment',
      category: 'needs_data_fix',
      system: 'stripe',
      code: a.errorCode ?? 'unknown',
      message: a.errorMessage ?? '',
      since: a.updatedAt,
      accountId: a.accountId,
      correlationId: a.correlationId,
      amendmentId: a.id,
      ids: { salesforce: [a.accountId], stripe: [], netsuite: [] },
      ref: a.id,
    }))
  const counts = { retrying: 0, needs_data_fix: items.length, needs_approval: 0 }
  return { items, counts }
}

function authorize(state: FakeWorkerState, req: IncomingMessage, role: 'viewer' | 'operator') {
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')
  if (!m?.[1])
    throw new HttpError(
      401,
      'unauthorized',
      'Send an operator token as "Authorization: Bearer <token>".',
    )
  const found = state.tokens.find((t) => t.sha256 === sha256(m[1] ?? ''))
  if (!found) throw new HttpError(401, 'unauthorized', 'Operator token not recognised.')
  if (role === 'operator' && found.role !== 'operator')
    throw new HttpError(
      403,
      'forbidden',
      `This needs the operator role; the token has ${found.role}.`,
    )
}

function advanceBackfill(state: FakeWorkerState): void {
  const b = state.backfill
  if (b.state !== 'running') return
  b.done = Math.min(b.total, b.done + state.backfillStep)
  b.invoices += 2 * state.backfillStep
  b.payments += state.backfillStep
  if (b.done >= b.total) {
    b.state = b.failed.length ? 'failed' : 'done'
    b.finishedAt = new Date().toISOString()
  }
}

/**
 * `GET /v1/salesforce/ping` as the worker answers it: the v2 signature (README "Request
 * signature") checked against each of `eventsSecrets` within 5 minutes, the matching secret and
 * the skew answered. Written from the contract, in node, as the worker's own check runs in workerd.
 */
function ping(state: FakeWorkerState, req: IncomingMessage): [number, unknown] {
  const header = (name: string) => {
    const v = req.headers[name]
    return (Array.isArray(v) ? v[0] : v) ?? ''
  }
  const timestamp = header('x-concord-timestamp')
  const skewSeconds = Math.floor(Date.now() / 1000) - Number(timestamp)
  if (!/^\d+$/.test(timestamp) || Math.abs(skewSeconds) > 300)
    throw new HttpError(401, 'unauthorized', 'X-Concord-Timestamp is more than 5 minutes from now.')
  const canonical = [
    timestamp,
    header('x-concord-nonce'),
    req.method ?? 'GET',
    req.url ?? '/',
    sha256(''),
  ].join('\n')
  const offered = Buffer.from(header('x-concord-signature').replace(/^v2=/, ''))
  const index = state.eventsSecrets.findIndex((secret) => {
    const expected = Buffer.from(createHmac('sha256', secret).update(canonical).digest('hex'))
    return expected.length === offered.length && timingSafeEqual(expected, offered)
  })
  if (index < 0)
    throw new HttpError(401, 'unauthorized', 'X-Concord-Signature does not match this request.')
  return [
    200,
    {
      ok: true,
      key: index === 0 ? 'current' : 'previous',
      skewSeconds,
      toleranceSeconds: 300,
      receivedAt: new Date().toISOString(),
    },
  ]
}

function route(
  state: FakeWorkerState,
  req: IncomingMessage,
  url: URL,
  body: unknown,
): [number, unknown] {
  const path = url.pathname
  const method = req.method ?? 'GET'
  if (method === 'GET' && path === '/healthz')
    return state.healthy ? [200, { ok: true, version: state.version }] : [500, { ok: false }]
  const viewer = () => authorize(state, req, 'viewer')
  const operator = () => authorize(state, req, 'operator')
  if (method === 'GET' && path === '/v1/writer') {
    viewer()
    return [200, state.writer]
  }
  if (method === 'GET' && path === '/v1/subscriber') {
    viewer()
    return [200, state.subscriber]
  }
  const trace = /^\/v1\/lookup\/([^/]+)$/.exec(path)
  if (method === 'GET' && trace) {
    viewer()
    const id = decodeURIComponent(trace[1] ?? '')
    const items = state.amendments
      .filter((a) => a.traced && (a.id === id || a.correlationId === id))
      .map((a) => ({
        amendmentId: a.id,
        correlationId: a.correlationId,
        accountId: a.accountId,
        receivedAt: a.receivedAt,
      }))
    if (items.length === 0) throw new HttpError(404, 'not_found', 'Amendment was not found.')
    return [200, { items }]
  }
  if (method === 'POST' && path === '/v1/subscriber/run') {
    operator()
    const from = (body as { fromReplayId?: number }).fromReplayId
    if (from !== undefined && from > (state.subscriber.replayId ?? -2))
      throw new HttpError(
        400,
        'validation_failed',
        `Replay id ${from} is past the stored one (${state.subscriber.replayId}): moving forward would skip events the worker never took.`,
      )
    if (from !== undefined) state.subscriber = { ...state.subscriber, replayId: from }
    const id = (state.subscriber.lastRun?.id ?? 0) + 1
    const run = {
      id,
      trigger: 'operator:test',
      startedAt: new Date().toISOString(),
      finishedAt: new Date().toISOString(),
      outcome: 'drained' as const,
      fromReplayId: state.subscriber.replayId,
      toReplayId: (state.subscriber.replayId ?? 0) + 2,
    }
    state.subscriber = {
      ...state.subscriber,
      replayId: run.toReplayId,
      lastRun: run,
      recentRuns: [run, ...state.subscriber.recentRuns],
    }
    return [
      202,
      {
        status: 'scheduled',
        runAt: new Date().toISOString(),
        ...(from === undefined ? {} : { fromReplayId: from }),
      },
    ]
  }
  if (method === 'GET' && path === '/v1/quarantine') {
    viewer()
    return [200, { items: state.quarantine }]
  }
  if (method === 'GET' && path === '/v1/exceptions' && !url.searchParams.has('state')) {
    viewer()
    return [200, workQueue(state, url.searchParams)]
  }
  if (method === 'GET' && path === '/v1/exceptions') {
    viewer()
    const stateWanted = url.searchParams.get('state') ?? 'parked'
    const account = url.searchParams.get('accountId')
    const items = state.amendments
      .filter((a) => a.indexed && a.state === stateWanted && (!account || a.accountId === account))
      .map(entry)
    return [200, { items }]
  }
  const action = /^\/v1\/exceptions\/([^/]+)\/(retry|skip)$/.exec(path)
  if (method === 'POST' && action) {
    operator()
    const a = state.amendments.find(
      (x) => x.indexed && x.id === decodeURIComponent(action[1] ?? ''),
    )
    if (!a) throw new HttpError(404, 'not_found', 'Exception not found.')
    const reason = (body as { reason?: string }).reason
    if (action[2] === 'skip' && (!reason || reason.trim().length < 3))
      throw new HttpError(400, 'validation_failed', 'Invalid body.')
    if (a.state !== 'parked')
      throw new HttpError(409, 'conflict', `Amendment is ${a.state}, not parked.`)
    a.state = action[2] === 'retry' ? 'waiting' : 'skipped'
    a.updatedAt = new Date().toISOString()
    const { accountId: _account, indexed: _indexed, traced: _traced, ...amendment } = a
    return [200, { amendment }]
  }
  const detail = /^\/v1\/accounts\/([^/]+)\/amendments\/([^/]+)$/.exec(path)
  if (method === 'GET' && detail) {
    viewer()
    const a = state.amendments.find(
      (x) => x.accountId === detail[1] && x.id === decodeURIComponent(detail[2] ?? ''),
    )
    if (!a) throw new HttpError(404, 'not_found', 'Amendment not found.')
    const { accountId: _account, indexed: _indexed, traced: _traced, ...amendment } = a
    return [200, amendment]
  }
  if (method === 'GET' && path === '/v1/backfill') {
    viewer()
    const snapshot = structuredClone(state.backfill)
    advanceBackfill(state)
    return [200, snapshot]
  }
  if (method === 'POST' && path === '/v1/backfill') {
    operator()
    if (state.backfill.state === 'running')
      throw new HttpError(
        409,
        'conflict',
        'A backfill is already running; follow it with GET /v1/backfill.',
      )
    const accountId = (body as { accountId?: string }).accountId
    state.backfill = {
      state: 'running',
      scope: accountId ?? 'all',
      done: 0,
      total: accountId ? 1 : 4,
      counting: false,
      invoices: 0,
      payments: 0,
      startedAt: new Date().toISOString(),
      failed: [],
    }
    return [202, state.backfill]
  }
  if (path === '/v1/reconcile') return reconcile(state, method, body, { viewer, operator })
  throw new HttpError(404, 'not_found', `No route for ${method} ${path}.`)
}

/** `POST /v1/reconcile` reports `state.drift` (repaired with `repair`); `GET` the reports. */
function reconcile(
  state: FakeWorkerState,
  method: string,
  body: unknown,
  auth: { viewer: () => void; operator: () => void },
): [number, unknown] {
  if (method === 'GET') {
    auth.viewer()
    return [200, { items: state.reconcileReports.slice(0, 1) }]
  }
  auth.operator()
  const { accountId, repair = false } = body as { accountId?: string; repair?: boolean }
  const findings = state.drift
    .filter((f) => !accountId || f.accountId === accountId)
    .map((f) => ({
      ...f,
      action: f.action === 'exception' ? f.action : repair ? 'repair_requested' : 'reported',
    })) as DriftReport['findings']
  const now = new Date().toISOString()
  const report: DriftReport = {
    runId: `run-${state.reconcileReports.length + 1}`,
    trigger: 'operator',
    scope: accountId ?? 'all',
    repair,
    startedAt: now,
    finishedAt: now,
    calls: { stripe: 3, salesforce: 1, netsuite: 0, ledger: repair ? findings.length : 0 },
    checked: { events: 12, editedRows: 0, accounts: 1, subscriptions: 2 },
    findings,
    deferred: [],
  }
  if (repair) state.drift = state.drift.filter((f) => f.action === 'exception')
  state.reconcileReports.unshift(report)
  return [200, report]
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  for await (const c of req) chunks.push(c as Buffer)
  const text = Buffer.concat(chunks).toString()
  return text ? (JSON.parse(text) as unknown) : {}
}

/** Starts the fake worker on a free loopback port; `token` is its one operator token. */
export async function startFakeWorker(token: string): Promise<FakeWorker> {
  const state = initialState(token)
  let n = 0
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost')
      const body = await readBody(req)
      state.requests.push({
        method: req.method ?? 'GET',
        path: url.pathname + url.search,
        authorization: req.headers.authorization,
        body,
      })
      let status: number
      let payload: unknown
      try {
        ;[status, payload] =
          url.pathname === '/v1/salesforce/ping' ? ping(state, req) : route(state, req, url, body)
      } catch (err) {
        const e =
          err instanceof HttpError
            ? err
            : new HttpError(500, 'internal_error', 'Something went wrong.')
        status = e.status
        payload = { error: { code: e.code, message: e.message, requestId: `req-${++n}` } }
      }
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(payload))
    })()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
