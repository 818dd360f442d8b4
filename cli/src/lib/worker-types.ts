/**
 * The worker's operator API shapes this plugin reads, as documented in the root README ("HTTP
 * API") and answered by `worker/routes/`. Only the fields the commands use are declared.
 */

export interface WorkerErrorBody {
  error: {
    code: string
    message: string
    requestId: string
    details?: Array<{ field: string; message: string }>
  }
}

export type AmendmentState = 'waiting' | 'parked' | 'applied' | 'skipped'

/** `GET /v1/exceptions` items. */
export interface ExceptionEntry {
  amendmentId: string
  accountId: string
  subscriptionKey: string
  sequence: number
  action: string
  state: AmendmentState
  code: string | null
  message: string | null
  correlationId: string
  updatedAt: string
}

export interface AuditLine {
  at: string
  actor: string
  action: string
  fromState?: string
  toState?: string
  detail?: Record<string, string | number | boolean | null>
}

/** `GET /v1/accounts/:accountId/amendments/:id`, and `amendment` in retry/skip answers. */
export interface AmendmentDetail {
  id: string
  subscriptionKey: string
  sequence: number
  action: string
  state: AmendmentState
  step: string
  attempts: number
  nextAttemptAt?: string
  errorCode?: string
  errorMessage?: string
  billingRef?: string
  erpRef?: string
  correlationId: string
  receivedAt: string
  updatedAt: string
  audit?: AuditLine[]
}

export interface RunView {
  id: number
  trigger: string
  startedAt: string
  finishedAt?: string
  outcome?: 'drained' | 'budget' | 'failed' | 'interrupted'
  fromReplayId?: number
  toReplayId?: number
  error?: { code: string; message: string }
}

/** `GET /v1/subscriber`. */
export interface SubscriberStatus {
  channel: string
  health: 'ok' | 'failing' | 'gap' | 'never_run'
  running: boolean
  nextRunAt?: string
  replayId?: number
  lastEventAt?: string
  consecutiveFailures: number
  lastRun?: RunView
  lastError?: { at: string; code: string; message: string }
  recentRuns: RunView[]
  openGaps: number
}

/** `POST /v1/subscriber/run`. */
export type KickResult =
  { status: 'running' } | { status: 'scheduled'; runAt: string; fromReplayId?: number }

/** `GET /v1/writer`. */
export interface WriterStatus {
  pending: number
  parked: Array<{ object: string; externalId: string; code: string; message: string }>
  calls24h: number
  usage?: { used: number; max: number }
  intervalMs: number
}

/** `GET /v1/backfill` and `POST /v1/backfill`. */
export interface BackfillStatus {
  state: 'idle' | 'running' | 'done' | 'failed'
  scope?: string
  done: number
  total: number
  counting: boolean
  invoices: number
  payments: number
  startedAt?: string
  finishedAt?: string
  failed: Array<{ accountId: string; error: string }>
}

/** `GET /v1/quarantine`. */
export interface QuarantinePage {
  items: Array<{ id: string; reason?: string; receivedAt?: string }>
  next?: string
}

/** One Stripe call of a dry-run diff. */
export interface PlannedCall {
  method: string
  path: string
  idempotencyKey?: string
  params: Record<string, string>
}

/** A governed action's request, as `/v1/actions` answers it. */
export interface ActionRequest {
  id: string
  kind: string
  target: string
  accountId?: string
  correlationId: string
  requestedBy: string
  reason?: string
  state: 'pending' | 'approved' | 'executed' | 'rejected' | 'expired' | 'superseded'
  createdAt: string
  expiresAt: string
  diff?: {
    effect: 'apply' | 'withhold'
    billing?: {
      calls: PlannedCall[]
      preview: { currency: string; total: number; amountDue: number }
    }
    erp?: { record: string; externalId: string; quantity?: number }
  }
  decidedBy?: string
  outcome?: string
}

/** What approving a request led to. */
export interface ApprovalAnswer {
  status: 'executed' | 'superseded' | 'needs_reapproval' | 'rejected'
  request: ActionRequest
}

/** One difference the drift reconciler found (`POST /v1/reconcile`, `GET /v1/reconcile`). */
export interface DriftFinding {
  accountId?: string
  object: 'event' | 'subscription'
  id: string
  cause:
    | 'lost_webhook'
    | 'hand_edit'
    | 'stale_mirror'
    | 'missing_mirror'
    | 'unowned_subscription'
    | 'orphan_mirror'
  action: 'repair_requested' | 'exception' | 'reported'
  fields?: Array<{
    field: string
    salesforce: string | number | null
    billing: string | number | null
  }>
  detail?: string
}

/** One run of the drift reconciler: what it compared, found and did, and its calls per system. */
export interface DriftReport {
  runId: string
  trigger: 'schedule' | 'operator'
  scope: string
  repair: boolean
  startedAt: string
  finishedAt: string
  calls: { stripe: number; salesforce: number; netsuite: number; ledger: number }
  checked: { events: number; editedRows: number; accounts: number; subscriptions: number }
  findings: DriftFinding[]
  deferred: string[]
}

/** One subscription's activation (`GET /v1/activations/:accountId/:subscriptionKey`). */
export interface ActivationView {
  subscriptionKey: string
  rule: 'on_create' | 'on_first_invoice_paid' | 'manual'
  correlationId: string
  billingSubscriptionId?: string
  requestedBy?: string
  requestedAt?: string
  activatedAt?: string
  activationId?: string
  deliveries: Array<{
    channel: 'salesforce' | 'webhook'
    state: 'pending' | 'parked' | 'sent'
    attempts: number
    lastError?: string
  }>
}

/** What asking for a manual activation did (`POST /v1/activations`). */
export interface ActivationAnswer {
  status: 'requested' | 'already_requested' | 'already_activated' | 'redelivering'
  activation: ActivationView
}
