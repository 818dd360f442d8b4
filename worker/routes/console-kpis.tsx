import type { MiddlewareHandler } from 'hono'
import { OverviewPage } from '../console/views/overview.tsx'
import { KpiSection } from '../console/views/kpis.tsx'
import type { Viewer } from '../console/views/layout.tsx'
import { errorFields } from '../lib/log.ts'
import { METRICS_NAME } from '../objects/metric-port.ts'
import type { KpiReport } from '../ops/kpi-board.ts'
import type { Range } from '../ops/metrics.ts'
import type { AppContext, AppEnv } from './context.ts'
import { readOverview } from './overview.ts'

const rangeOf = (c: AppContext): Range => {
  const r = c.req.query('range')
  return r === 'day' || r === 'week' ? r : 'hour'
}

/** The KPI report, or undefined (logged) when the metrics object cannot answer. */
async function readKpis(c: AppContext, range: Range): Promise<KpiReport | undefined> {
  try {
    return await c.env.METRICS.getByName(METRICS_NAME).report(range)
  } catch (err) {
    c.get('log').error('KPI report failed', errorFields(err))
    return undefined
  }
}

/**
 * Puts the open SLA alerts on the signed-in viewer, so the layout shows the banner on every
 * page. A metrics object that cannot answer costs the banner, never the page.
 */
export const withAlerts: MiddlewareHandler<AppEnv> = async (c, next) => {
  const viewer = c.get('viewer')
  if (viewer && c.req.method === 'GET' && !c.req.header('hx-request')) {
    try {
      const alerts = await c.env.METRICS.getByName(METRICS_NAME).openAlerts()
      c.set('viewer', { ...viewer, alerts })
    } catch (err) {
      c.get('log').error('open alerts could not be read', errorFields(err))
    }
  }
  await next()
}

/** `/console`: the backlog tiles and the KPIs over `?range=hour|day|week`. */
export async function overviewPage(c: AppContext) {
  const range = rangeOf(c)
  const [overview, kpis] = await Promise.all([
    readOverview(c.env, c.get('log')),
    readKpis(c, range),
  ])
  return c.html(
    <OverviewPage
      overview={overview}
      now={Date.now()}
      viewer={c.get('viewer') as Viewer}
      kpis={<KpiSection report={kpis} range={range} />}
    />,
  )
}

/** The KPI section alone, for htmx's range switch. */
export async function kpiPartial(c: AppContext) {
  const range = rangeOf(c)
  return c.html(<KpiSection report={await readKpis(c, range)} range={range} />)
}
