import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { METRICS } from '../../../worker/lib/metric-catalog.ts'
import { rollUp } from '../../../worker/lib/metrics.ts'
import { consoleFetch, signInByLink } from './support.ts'

const TITLES = [
  'Order activation time',
  'Amendment success rate',
  'Status-back latency',
  'Invoice generation lag',
  'Backlog, all systems',
  'Salesforce API share used',
  'NetSuite concurrency in use',
  'CometD cursor age',
  'Quarantine count',
]

describe('the overview KPIs', () => {
  it('shows every KPI with a chart and its figures as a table, over the range in the link', async () => {
    await env.METRICS.getByName('global').record({
      rollups: rollUp([{ name: METRICS.invoiceLag.name, value: 4321, at: Date.now() }]),
      gauges: [],
    })
    const cookie = await signInByLink()
    const html = await (await consoleFetch('/console', { headers: { cookie } })).text()
    expect(html).toContain('<section id="kpis"')
    expect(html).toContain('KPIs · Last hour')
    for (const title of TITLES) expect(html).toContain(`>${title}</h3>`)
    expect(html.match(/<svg class="spark" role="img" aria-label="/g)).toHaveLength(TITLES.length)
    expect(html).toMatch(/Invoice generation lag<\/h3><p class="figure">p50 4\.3 s · p95 4\.3 s/)
    expect(html).toMatch(/<caption>Invoice generation lag, last hour<\/caption>.*<td>4\.3 s<\/td>/s)
    expect(html).toContain('<caption>Backlog by system, now</caption>')
    // The range switch: plain links, which htmx turns into partial swaps.
    expect(html).toContain(
      '<a href="/console?range=day" hx-get="/console/partials/kpis?range=day" hx-target="#kpis" hx-swap="outerHTML" hx-push-url="/console?range=day">Last day</a>',
    )
    expect(html).toMatch(/<a href="\/console\?range=hour"[^>]*aria-current="true">Last hour/)
  })

  it('serves another range as a whole page without JavaScript and as a partial for htmx', async () => {
    await env.METRICS.getByName('global').record({
      rollups: rollUp([{ name: METRICS.statusBack.name, value: 250, at: Date.now() }]),
      gauges: [],
    })
    const cookie = await signInByLink()
    const page = await (await consoleFetch('/console?range=week', { headers: { cookie } })).text()
    expect(page).toMatch(/^<!doctype html>/)
    expect(page).toContain('KPIs · Last week')
    expect(page).toMatch(/<a href="\/console\?range=week"[^>]*aria-current="true">/)
    const partial = await consoleFetch('/console/partials/kpis?range=day', {
      headers: { cookie, 'hx-request': 'true' },
    })
    expect(partial.status).toBe(200)
    const fragment = await partial.text()
    expect(fragment).toMatch(/^<section id="kpis"/)
    expect(fragment).toContain('KPIs · Last day')
    expect(fragment).not.toContain('<html')
    // A day in 15-minute slots: the table names the date, not only the time.
    expect(fragment).toMatch(/<td>\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC<\/td>/)
  })

  it('answers an unknown range with the last hour', async () => {
    const cookie = await signInByLink()
    const page = await (await consoleFetch('/console?range=year', { headers: { cookie } })).text()
    expect(page).toContain('KPIs · Last hour')
  })
})
