/**
 * Every KPI Concord rolls up, in one place: its name (what producers send), how its samples
 * combine and how the console shows it. Adding a metric is one entry here and one producer call
 * (`MetricBuffer.observe` or `.gauge`); the roll-up, retention, charts and the overview's table
 * pick it up from this list.
 *
 * - `distribution`: each sample is one measurement (a latency in ms); minutes keep count, sum,
 *   min, max and a log histogram, so p50/p95 hold over any range.
 * - `counter`: each sample counts events (value 1, or n).
 * - `gauge`: producers report their own current value under a subject (an account, a gate); the
 *   metrics object keeps the latest per subject and samples the aggregate once a minute.
 *   `sum` adds subjects up, `max` takes the largest, `oldest` holds timestamps (ms) and shows
 *   the age of the oldest one (0 means none).
 */
export type MetricKind = 'distribution' | 'counter' | 'gauge'
export type GaugeAggregate = 'sum' | 'max' | 'oldest'
export type MetricUnit = 'ms' | 'count' | 'percent'

export interface MetricDef {
  name: string
  label: string
  kind: MetricKind
  unit: MetricUnit
  aggregate?: GaugeAggregate
}

const backlogSystems = ['billing', 'erp', 'salesforce'] as const
const backlogStates = ['waiting', 'retrying', 'parked'] as const
export type BacklogSystem = (typeof backlogSystems)[number]
export type BacklogState = (typeof backlogStates)[number]

/** `backlog.<state>.<system>`: amendments of one state whose next step is at one system. */
export const backlogMetric = (state: BacklogState, system: BacklogSystem): string =>
  `backlog.${state}.${system}`

const gauge = (name: string, label: string, unit: MetricUnit, aggregate: GaugeAggregate) =>
  ({ name, label, kind: 'gauge', unit, aggregate }) satisfies MetricDef

export const METRICS = {
  activation: {
    name: 'amendment.activation_ms',
    label: 'Order activation time (Salesforce commit of the create → the subscription activated)',
    kind: 'distribution',
    unit: 'ms',
  },
  applied: {
    name: 'amendment.applied',
    label: 'Amendments applied',
    kind: 'counter',
    unit: 'count',
  },
  parked: { name: 'amendment.parked', label: 'Amendments parked', kind: 'counter', unit: 'count' },
  statusBack: {
    name: 'salesforce.status_back_ms',
    label: 'Status-back latency (vendor event → Salesforce write)',
    kind: 'distribution',
    unit: 'ms',
  },
  invoiceLag: {
    name: 'invoice.lag_ms',
    label: 'Invoice generation lag (billing invoice → Salesforce)',
    kind: 'distribution',
    unit: 'ms',
  },
  apiShare: gauge('salesforce.api_share_pct', 'Salesforce API share used', 'percent', 'max'),
  permits: gauge('netsuite.permits_in_use', 'NetSuite concurrency in use', 'count', 'sum'),
  cursor: gauge('subscriber.cursor_at', 'CometD cursor age (retention 72 h)', 'ms', 'oldest'),
  quarantine: gauge('quarantine.count', 'Quarantined inputs', 'count', 'sum'),
  quarantineOldest: gauge('quarantine.oldest_at', 'Oldest quarantined input', 'ms', 'oldest'),
  outbox: gauge('backlog.outbox', 'Statuses waiting in ledger outboxes', 'count', 'sum'),
  writerPending: gauge('backlog.writer_pending', 'Salesforce writes pending', 'count', 'sum'),
  writerParked: gauge('backlog.writer_parked', 'Salesforce writes parked', 'count', 'sum'),
  oldestOpen: gauge('amendment.oldest_open_at', 'Oldest amendment not applied', 'ms', 'oldest'),
  oldestParked: gauge('amendment.oldest_parked_at', 'Oldest parked amendment', 'ms', 'oldest'),
} as const satisfies Record<string, MetricDef>

const BACKLOG: MetricDef[] = backlogStates.flatMap((state) =>
  backlogSystems.map((system) =>
    gauge(backlogMetric(state, system), `${system} ${state}`, 'count', 'sum'),
  ),
)

/** Every metric, by name. */
export const METRIC_DEFS: ReadonlyMap<string, MetricDef> = new Map(
  [...Object.values(METRICS), ...BACKLOG].map((d) => [d.name, d]),
)

export const BACKLOG_SYSTEMS = backlogSystems
export const BACKLOG_STATES = backlogStates
