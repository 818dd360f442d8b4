import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { alertSettings } from '../../../worker/config/alerts.ts'
import { ConfigError } from '../../../worker/errors.ts'
import type { AlertSettings } from '../../../worker/config/types.ts'
import { hmacSha256Hex } from '../../../worker/lib/hmac.ts'
import { createLogger } from '../../../worker/lib/log.ts'
import { METRICS } from '../../../worker/lib/metric-catalog.ts'
import {
  AlertDesk,
  DELIVERY_MAX_ATTEMPTS,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
} from '../../../worker/ops/alerts.ts'
import { MetricStore } from '../../../worker/ops/metrics.ts'
import { alertDeliveryItem } from '../../../worker/ops/work-items.ts'
import { consoleFetch, signInByLink } from '../console/support.ts'

const SECRET = 'alert-webhook-secret-for-tests-only-0123456789'
const HOUR = 3_600_000

const settings = (over: Partial<AlertSettings> = {}): AlertSettings => ({
  amendmentMinutes: 30,
  backlogMax: 100,
  parkedHours: 24,
  cursorHours: 48,
  apiSharePercent: 80,
  webhook: { status: 'ok', settings: { url: 'https://hooks.example.test/alerts', secret: SECRET } },
  ...over,
})

/** A webhook receiver standing in for Slack: answers each POST with the next status given. */
function receiver(...statuses: number[]) {
  const seen: Array<{ headers: Headers; body: string }> = []
  const send = async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = new Request(input, init)
    seen.push({ headers: req.headers, body: await req.text() })
    return new Response('ok', { status: statuses.shift() ?? 200 })
  }
  return { seen, fetch: send }
}

/** A desk and a store over a Metrics instance of their own. */
function inScratch<T>(
  fn: (desk: AlertDesk, store: MetricStore, r: ReturnType<typeof receiver>) => T,
  r = receiver(),
) {
  const stub = env.METRICS.getByName(`alerts-${crypto.randomUUID()}`)
  return runInDurableObject(stub, (_o, state) => {
    const sql = state.storage.sql
    const desk = new AlertDesk(sql, { fetch: r.fetch, log: createLogger({}, 'error') })
    return fn(desk, new MetricStore(sql), r)
  })
}

const share = (store: MetricStore, value: number, at = Date.now()) =>
  store.record({
    rollups: [],
    gauges: [{ name: METRICS.apiShare.name, subject: 'org', value, at }],
  })

describe('SLA alerts', () => {
  it('fires once per rule and subject, updates it while it holds, and resolves it when it clears', () =>
    inScratch((desk, store) => {
      const now = Date.now()
      share(store, 91, now)
      expect(desk.evaluate(store, settings(), now)).toEqual({ opened: 1, resolved: 0 })
      share(store, 95, now + 1)
      expect(desk.evaluate(store, settings(), now + 60_000)).toEqual({ opened: 0, resolved: 0 })
      const open = desk.open()
      expect(open).toHaveLength(1)
      expect(open[0]).toMatchObject({ rule: 'api_share_high', subject: 'org', value: 95 })
      expect(open[0]?.message).toContain('95.0%')
      share(store, 40, now + 2)
      expect(desk.evaluate(store, settings(), now + 120_000)).toEqual({ opened: 0, resolved: 1 })
      expect(desk.open()).toEqual([])
      expect(desk.recent(5)[0]).toMatchObject({ state: 'resolved', rule: 'api_share_high' })
      expect(desk.deliveries().map((d) => d.event)).toEqual(['opened', 'resolved'])
    }))

  it('opens one alert per late account and per rule, from the gauges', () =>
    inScratch((desk, store) => {
      const now = Date.now()
      store.record({
        rollups: [],
        gauges: [
          {
            name: METRICS.oldestOpen.name,
            subject: 'acct-late',
            value: now - 31 * 60_000,
            at: now,
          },
          { name: METRICS.oldestOpen.name, subject: 'acct-fresh', value: now - 60_000, at: now },
          {
            name: METRICS.oldestParked.name,
            subject: 'acct-late',
            value: now - 25 * HOUR,
            at: now,
          },
          { name: 'backlog.waiting.erp', subject: 'acct-late', value: 101, at: now },
          { name: METRICS.cursor.name, subject: 'channel', value: now - 49 * HOUR, at: now },
        ],
      })
      desk.evaluate(store, settings(), now)
      expect(
        desk
          .open()
          .map((a) => `${a.rule}:${a.subject}`)
          .sort(),
      ).toEqual([
        'amendment_not_applied:acct-late',
        'backlog_high:backlog.waiting.erp',
        'cursor_old:org',
        'parked_too_long:acct-late',
      ])
    }))

  it('posts a signed Slack-compatible body and retries a 5xx with backoff until it is taken', () =>
    inScratch(
      async (desk, store, r) => {
        const now = Date.now()
        share(store, 99, now)
        desk.evaluate(store, settings(), now)
        const webhook = { url: 'https://hooks.example.test/alerts', secret: SECRET }
        await desk.deliver(webhook, now)
        expect(desk.deliveries()[0]).toMatchObject({ state: 'pending', attempts: 1 })
        expect(desk.deliveries()[0]?.lastError).toContain('http_503')
        // The exception work queue shows it as retrying, with its next attempt.
        expect(desk.troubled(10).map(alertDeliveryItem)).toEqual([
          expect.objectContaining({
            kind: 'alert_delivery',
            category: 'retrying',
            system: 'worker',
            code: 'http_503',
            nextAttemptAt: new Date(desk.nextDeliveryAt() ?? 0).toISOString(),
          }),
        ])
        // Not due again before its backoff.
        await desk.deliver(webhook, now)
        expect(r.seen).toHaveLength(1)
        await desk.deliver(webhook, (desk.nextDeliveryAt() ?? 0) + 1)
        expect(desk.deliveries()[0]).toMatchObject({ state: 'sent', attempts: 2 })
        expect(r.seen).toHaveLength(2)
        const { headers, body } = r.seen[1] as { headers: Headers; body: string }
        const ts = headers.get(TIMESTAMP_HEADER) as string
        expect(Math.abs(Number(ts) - Date.now() / 1000)).toBeLessThan(60)
        expect(headers.get(SIGNATURE_HEADER)).toBe(
          `v1=${await hmacSha256Hex(SECRET, `${ts}.${body}`)}`,
        )
        expect(headers.get(SIGNATURE_HEADER)).not.toBe(
          `v1=${await hmacSha256Hex('another-secret-entirely-0123456789abcdef', `${ts}.${body}`)}`,
        )
        const json = JSON.parse(body) as { text: string; blocks: Array<{ type: string }> }
        expect(json.text).toMatch(/^Concord alert: .*99\.0%/)
        expect(json.blocks.map((b) => b.type)).toEqual(['section', 'context'])
      },
      receiver(503, 200),
    ))

  it('dead-letters a delivery the receiver refuses (4xx) at once', () =>
    inScratch(async (desk, store) => {
      const now = Date.now()
      share(store, 99, now)
      desk.evaluate(store, settings(), now)
      const webhook = { url: 'https://hooks.example.test/alerts', secret: SECRET }
      await desk.deliver(webhook, now)
      expect(desk.deliveries()[0]).toMatchObject({ state: 'dead', attempts: 1 })
      expect(desk.deliveries()[0]?.lastError).toContain('http_404')
      expect(desk.troubled(10).map(alertDeliveryItem)).toEqual([
        expect.objectContaining({ category: 'needs_data_fix', code: 'http_404' }),
      ])
    }, receiver(404)))

  it('gives up on a receiver that keeps failing after the attempt cap', () =>
    inScratch(
      async (desk, store, r) => {
        share(store, 99)
        desk.evaluate(store, settings(), Date.now())
        const webhook = { url: 'https://hooks.example.test/alerts', secret: SECRET }
        for (let i = 0; i < DELIVERY_MAX_ATTEMPTS; i++)
          await desk.deliver(webhook, (desk.nextDeliveryAt() ?? Date.now()) + 1)
        expect(r.seen).toHaveLength(DELIVERY_MAX_ATTEMPTS)
        expect(desk.deliveries()[0]).toMatchObject({ state: 'dead' })
        expect(desk.deliveries()[0]?.lastError).toContain('retries_exhausted')
        expect(desk.nextDeliveryAt()).toBeUndefined()
      },
      receiver(...Array<number>(DELIVERY_MAX_ATTEMPTS).fill(500)),
    ))

  it('queues nothing to send when no webhook is configured, and still keeps the alert', () =>
    inScratch((desk, store) => {
      share(store, 99)
      desk.evaluate(store, settings({ webhook: { status: 'absent' } }), Date.now())
      expect(desk.open()).toHaveLength(1)
      expect(desk.deliveries()).toEqual([])
    }))
})

describe('the alert banner', () => {
  it('shows an open alert on every console page and disappears once it resolves', async () => {
    const metrics = env.METRICS.getByName('global')
    const gauge = (value: number) =>
      metrics.record({
        rollups: [],
        gauges: [{ name: METRICS.apiShare.name, subject: 'org', value, at: Date.now() }],
      })
    const cookie = await signInByLink()
    const page = async (path: string) => (await consoleFetch(path, { headers: { cookie } })).text()
    await gauge(97)
    await runDurableObjectAlarm(metrics)
    for (const path of ['/console', '/console/exceptions']) {
      const html = await page(path)
      expect(html).toContain('class="banner" role="alert"')
      expect(html).toMatch(
        /used 97\.0% of the org&#39;s daily API requests|used 97\.0% of the org's daily API requests/,
      )
    }
    await gauge(10)
    await runDurableObjectAlarm(metrics)
    expect(await page('/console')).not.toContain('class="banner"')
  })
})

describe('alert configuration', () => {
  it('defaults every threshold and names a bad one without stopping on the webhook', () => {
    const { alerts, metricsFlushMs } = alertSettings({})
    expect(alerts).toMatchObject({
      amendmentMinutes: 30,
      backlogMax: 100,
      parkedHours: 24,
      cursorHours: 48,
      apiSharePercent: 80,
      webhook: { status: 'absent' },
    })
    expect(metricsFlushMs).toBe(5_000)
    let thrown: unknown
    try {
      alertSettings({ ALERT_CURSOR_HOURS: '96' })
    } catch (err) {
      thrown = err
    }
    expect(thrown).toBeInstanceOf(ConfigError)
    expect((thrown as ConfigError).internalMessage).toMatch(
      /ALERT_CURSOR_HOURS: must be a whole number from 1 to 72/,
    )
  })

  it('reports a half-set webhook as invalid, naming the variable and never the value', () => {
    const { alerts } = alertSettings({ ALERT_WEBHOOK_URL: 'https://hooks.example.test/x' })
    expect(alerts.webhook.status).toBe('invalid')
    const problems = alerts.webhook.status === 'invalid' ? alerts.webhook.problems : []
    expect(problems.join(' ')).toContain('ALERT_WEBHOOK_SECRET')
    const short = alertSettings({
      ALERT_WEBHOOK_URL: 'https://hooks.example.test/x',
      ALERT_WEBHOOK_SECRET: 'too-short-secret',
    }).alerts.webhook
    expect(JSON.stringify(short)).not.toContain('too-short-secret')
    expect(
      alertSettings({
        ALERT_WEBHOOK_URL: 'https://hooks.example.test/x',
        ALERT_WEBHOOK_SECRET: SECRET,
      }).alerts.webhook,
    ).toEqual({ status: 'ok', settings: { url: 'https://hooks.example.test/x', secret: SECRET } })
  })
})
