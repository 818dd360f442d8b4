import type { FC } from 'hono/jsx'
import type { Backlog } from '../../ops/ops-registry.ts'
import type { ArSyncStatus } from '../../reconcile/erp-ar-sync.ts'
import type { BackfillStatus } from '../../reconcile/backfill.ts'
import type { SubscriberStatus } from '../../subscriber/views.ts'
import type { WriterStatus } from '../../writer/org-writer.ts'
import { ageOf, at } from './format.ts'
import { Layout, type Viewer } from './layout.tsx'

/** What the overview shows: counts and ages the objects keep anyway (no scans of ledgers). */
export interface Overview {
  backlog: Backlog
  writer: Pick<WriterStatus, 'pending' | 'calls24h' | 'usage'> & { parked: number }
  subscriber: Pick<SubscriberStatus, 'health' | 'lastEventAt' | 'openGaps' | 'nextRunAt'>
  arSync: ArSyncStatus
  backfill: Pick<BackfillStatus, 'state' | 'done' | 'total'>
}

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
      <Tile
        label="Parked amendments"
        value={o.backlog.exceptions.parked ?? 0}
        href="/console/exceptions"
      />
      <Tile
        label="Quarantined inputs"
        value={o.backlog.quarantined}
        note={`oldest ${ageOf(o.backlog.oldestQuarantinedAt, now)} ago`}
        href="/console/exceptions#quarantine"
      />
      <Tile
        label="Salesforce writes pending"
        value={o.writer.pending}
        note={`${o.writer.parked} parked · ${o.writer.calls24h} calls in 24 h`}
      />
      <Tile
        label="Event subscriber"
        value={o.subscriber.health}
        note={`last event ${ageOf(o.subscriber.lastEventAt, now)} ago · ${o.subscriber.openGaps} open gaps`}
      />
      <Tile
        label="NetSuite AR read"
        value={`${ageOf(o.arSync.watermark, now)} behind`}
        note={o.arSync.lastRun?.outcome ? `last run: ${o.arSync.lastRun.outcome}` : 'no run yet'}
      />
      <Tile
        label="Backfill"
        value={o.backfill.state}
        note={`${o.backfill.done} / ${o.backfill.total}`}
      />
    </dl>
    <p>
      <small>As of {at(new Date(now).toISOString())}.</small>
    </p>
  </section>
)

export const OverviewPage: FC<{ overview: Overview; now: number; viewer: Viewer }> = (props) => (
  <Layout title="Overview" section="overview" viewer={props.viewer}>
    <BacklogTiles overview={props.overview} now={props.now} />
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
