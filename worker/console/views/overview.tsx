import type { Child, FC } from 'hono/jsx'
import type { Backlog } from '../../ops/ops-registry.ts'
import type { ArSyncStatus } from '../../reconcile/erp-ar-sync.ts'
import type { BackfillStatus } from '../../reconcile/backfill.ts'
import type { SubscriberStatus } from '../../subscriber/views.ts'
import type { WriterStatus } from '../../writer/org-writer.ts'
import { ageOf, at } from './format.ts'
import { Layout, type Viewer } from './layout.tsx'

/**
 * What the overview shows: counts and ages the objects keep anyway (no scans of ledgers). A
 * section is undefined when its object could not answer.
 */
export interface Overview {
  backlog?: Backlog
  writer?: Pick<WriterStatus, 'pending' | 'calls24h' | 'usage'> & { parked: number }
  subscriber?: Pick<SubscriberStatus, 'health' | 'lastEventAt' | 'openGaps' | 'nextRunAt'>
  arSync?: ArSyncStatus
  backfill?: Pick<BackfillStatus, 'state' | 'done' | 'total'>
}

const UNAVAILABLE = { value: 'unavailable', note: 'could not be read just now' }

export const BACKLOG_PARTIAL = '/console/partials/backlog'

const Tile: FC<{ label: string; value: string | number; note?: string; href?: string }> = (p) => (
  <div>
    <dt>{p.href ? <a href={p.href}>{p.label}</a> : p.label}</dt>
    <dd>
      {p.value}
      {p.note ? <small>{p.note}</small> : null}
    </dd>
  </div>
)

type TileText = { value: string | number; note?: string }

const parkedTile = ({ backlog: b }: Overview): TileText =>
  b ? { value: b.exceptions.parked ?? 0 } : UNAVAILABLE

const quarantineTile = ({ backlog: b }: Overview, now: number): TileText =>
  b
    ? {
        value: b.quarantined,
        note: b.oldestQuarantinedAt ? `oldest ${ageOf(b.oldestQuarantinedAt, now)} ago` : undefined,
      }
    : UNAVAILABLE

const writerTile = ({ writer: w }: Overview): TileText =>
  w ? { value: w.pending, note: `${w.parked} parked · ${w.calls24h} calls in 24 h` } : UNAVAILABLE

const subscriberTile = ({ subscriber: s }: Overview, now: number): TileText =>
  s
    ? {
        value: s.health,
        note: `${s.lastEventAt ? `last event ${ageOf(s.lastEventAt, now)} ago` : 'no event yet'} · ${s.openGaps} open gaps`,
      }
    : UNAVAILABLE

const arTile = ({ arSync: a }: Overview, now: number): TileText =>
  a
    ? {
        value: a.watermark ? `${ageOf(a.watermark, now)} behind` : 'not read yet',
        note: a.lastRun?.outcome ? `last run: ${a.lastRun.outcome}` : 'no run yet',
      }
    : UNAVAILABLE

const backfillTile = ({ backfill: b }: Overview): TileText =>
  b ? { value: b.state, note: `${b.done} / ${b.total}` } : UNAVAILABLE

/** The backlog tiles; htmx refreshes them every 15 s (a reload does the same without JavaScript). */
export const BacklogTiles: FC<{ overview: Overview; now: number }> = ({ overview: o, now }) => (
  <section
    id="backlog"
    aria-labelledby="backlog-title"
    hx-get={BACKLOG_PARTIAL}
    hx-trigger="every 15s"
    hx-swap="outerHTML"
  >
    <h2 id="backlog-title">Backlog</h2>
    <dl class="tiles">
      <Tile label="Parked amendments" href="/console/exceptions" {...parkedTile(o)} />
      <Tile
        label="Quarantined inputs"
        href="/console/exceptions#quarantine"
        {...quarantineTile(o, now)}
      />
      <Tile label="Salesforce writes pending" {...writerTile(o)} />
      <Tile label="Event subscriber" {...subscriberTile(o, now)} />
      <Tile label="NetSuite AR read" {...arTile(o, now)} />
      <Tile label="Backfill" {...backfillTile(o)} />
    </dl>
    <p>
      <small>As of {at(new Date(now).toISOString())}.</small>
    </p>
  </section>
)

export const OverviewPage: FC<{
  overview: Overview
  now: number
  viewer: Viewer
  /** The KPI section (`kpis.tsx`). */
  kpis?: Child
}> = (props) => (
  <Layout title="Overview" section="overview" viewer={props.viewer}>
    <BacklogTiles overview={props.overview} now={props.now} />
    {props.kpis}
    <section aria-labelledby="find-title">
      <h2 id="find-title">Find an account</h2>
      <form class="inline" method="get" action="/console/accounts">
        <div>
          <label for="account-id">Salesforce Account id</label>
          <input
            type="text"
            id="account-id"
            name="id"
            required
            minlength={15}
            maxlength={18}
            pattern="[A-Za-z0-9]{15,18}"
            autocomplete="off"
          />
        </div>
        <button type="submit">Open</button>
      </form>
    </section>
  </Layout>
)
