import type { FC } from 'hono/jsx'
import { BACKLOG_STATES, METRICS } from '../../lib/metric-catalog.ts'
import type { KpiReport } from '../../ops/kpi-board.ts'
import type { Range } from '../../ops/metrics.ts'
import { backlogTable, formatValue, kpiCards, type KpiCard } from './kpi-cards.ts'
import { Sparkline } from './sparkline.tsx'

export const KPI_PARTIAL = '/console/partials/kpis'
const RANGE_LABELS: Record<Range, string> = {
  hour: 'Last hour',
  day: 'Last day',
  week: 'Last week',
}

const slotTime = (at: number, range: Range) => {
  const iso = new Date(at).toISOString()
  return range === 'hour' ? `${iso.slice(11, 16)} UTC` : `${iso.slice(0, 16).replace('T', ' ')} UTC`
}

/**
 * The range switch: plain links (a full page without JavaScript); with htmx, the KPI section is
 * swapped in place and the address bar follows.
 */
const RangeSwitch: FC<{ range: Range }> = ({ range }) => (
  <nav aria-label="KPI range">
    <ul class="ranges">
      {(Object.keys(RANGE_LABELS) as Range[]).map((r) => (
        <li>
          <a
            href={`/console?range=${r}`}
            hx-get={`${KPI_PARTIAL}?range=${r}`}
            hx-target="#kpis"
            hx-swap="outerHTML"
            hx-push-url={`/console?range=${r}`}
            aria-current={r === range ? 'true' : undefined}
          >
            {RANGE_LABELS[r]}
          </a>
        </li>
      ))}
    </ul>
  </nav>
)

const Card: FC<{ card: KpiCard; range: Range }> = ({ card, range }) => (
  <article class="kpi" aria-labelledby={`kpi-${card.id}`}>
    <h3 id={`kpi-${card.id}`}>{card.title}</h3>
    <p class="figure">{card.headline}</p>
    <p class="note">{card.note}</p>
    <Sparkline
      points={card.points}
      label={`${card.title}, ${RANGE_LABELS[range].toLowerCase()}: ${card.headline}`}
    />
    <details>
      <summary>Figures as a table</summary>
      <table>
        <caption>{`${card.title}, ${RANGE_LABELS[range].toLowerCase()}`}</caption>
        <thead>
          <tr>
            <th scope="col">From</th>
            <th scope="col">Value</th>
          </tr>
        </thead>
        <tbody>
          {card.points
            .filter((p) => p.value !== null)
            .map((p) => (
              <tr>
                <td>{slotTime(p.at, range)}</td>
                <td>{formatValue(p.value ?? undefined, card.unit)}</td>
              </tr>
            ))}
        </tbody>
      </table>
    </details>
  </article>
)

const BacklogBySystem: FC<{ report: KpiReport }> = ({ report }) => (
  <table>
    <caption>Backlog by system, now</caption>
    <thead>
      <tr>
        <th scope="col">System</th>
        {BACKLOG_STATES.map((s) => (
          <th scope="col">{s}</th>
        ))}
      </tr>
    </thead>
    <tbody>
      {backlogTable(report).map((row) => (
        <tr>
          <th scope="row">{row.system}</th>
          {row.values.map((v) => (
            <td>{v}</td>
          ))}
        </tr>
      ))}
      <tr>
        <th scope="row">status outbox</th>
        <td colspan={3}>{report.now[METRICS.outbox.name] ?? 0}</td>
      </tr>
      <tr>
        <th scope="row">writer pending</th>
        <td colspan={3}>{report.now[METRICS.writerPending.name] ?? 0}</td>
      </tr>
    </tbody>
  </table>
)

/** The business KPIs over one range, from the per-minute roll-ups (`ops/metrics.ts`). */
export const KpiSection: FC<{ report?: KpiReport; range: Range }> = ({ report, range }) => (
  <section id="kpis" aria-labelledby="kpis-title">
    <h2 id="kpis-title">KPIs · {RANGE_LABELS[range]}</h2>
    <RangeSwitch range={range} />
    {report ? (
      <>
        {report.webhookProblems.length > 0 ? (
          <p class="notice bad">
            SLA alerts are not being posted: {report.webhookProblems.join('; ')}.
          </p>
        ) : null}
        <div class="kpis">
          {kpiCards(report).map((card) => (
            <Card card={card} range={range} />
          ))}
        </div>
        <BacklogBySystem report={report} />
        <p>
          <small>
            Rolled up per minute; as of {slotTime(report.asOf, 'day')}. Percentiles are within ±9%
            (log buckets).
          </small>
        </p>
      </>
    ) : (
      <p class="notice bad">The KPIs could not be read just now.</p>
    )}
  </section>
)
