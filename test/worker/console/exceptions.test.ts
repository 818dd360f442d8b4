import { env } from 'cloudflare:workers'
import { describe, expect, it, vi } from 'vitest'
import { business, DoubleConnectors } from '../../doubles/connectors.ts'
import { DoubleWriterClient } from '../../doubles/writer-client.ts'
import {
  freezeClockAhead,
  amendmentChain,
  drain,
  drainWriter,
  postEvents,
} from '../support/helpers.ts'
import { useFreshDoubles } from '../support/fresh-doubles.ts'
import { useWriterClient } from '../support/wiring.ts'
import { consoleFetch, csrfIn, expectNoInternals, form, signInByLink } from './support.ts'

let doubles: DoubleConnectors
let account: string

useFreshDoubles((d, a) => {
  doubles = d
  account = a
})

/** One amendment parked at `method` with `code`; its event. */
async function parkedAt(method: string, code: string): Promise<Record<string, string>> {
  const [one] = amendmentChain(1, { Account_Id__c: account })
  doubles.failNext(method, business(code, 'refused'))
  await postEvents([one])
  await drain(account)
  return one as Record<string, string>
}

const page = async (query: string, headers: Record<string, string> = {}) => {
  const cookie = await signInByLink()
  return consoleFetch(`/console/exceptions?${query}`, { headers: { cookie, ...headers } })
}

describe('console exceptions: the work queue', () => {
  it('filters with a plain GET form, shows the counts per category and links each amendment to its trace', async () => {
    const billing = await parkedAt('billing.applyAmendment', 'card_declined')
    const erp = await parkedAt('erp.recordAmendment', 'erp_item_unknown')
    const res = await page(`accountId=${account}`)
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toMatch(/<form class="filters" method="get" action="\/console\/exceptions"/)
    expect(html).toContain('Needs a data fix: <strong>1</strong>')
    expect(html).toContain('Needs finance approval: <strong>1</strong>')
    expect(html).toContain(`href="/console/trace/${billing.Correlation_Id__c}"`)
    expect(html).toContain(`href="/console/trace/${erp.Correlation_Id__c}"`)
    // Money: an ask for approval; past billing: a plain retry.
    expect(html).toContain('Ask to retry')
    expect(html).toContain('>Retry</button>')

    const narrowed = await (await page(`accountId=${account}&system=netsuite`)).text()
    expect(narrowed).toContain(erp.Correlation_Id__c)
    expect(narrowed).not.toContain(billing.Correlation_Id__c)
    expect(narrowed).toContain('<option value="netsuite" selected="">')
  })

  it('searches by a Stripe id and answers htmx with the list alone', async () => {
    const one = await parkedAt('billing.applyAmendment', 'card_declined')
    const res = await page(`q=cus_${account.slice(-6)}`, { 'hx-request': 'true' })
    const html = await res.text()
    expect(html).toMatch(/^<section id="exceptions"/)
    expect(html).toContain(one.Correlation_Id__c)
  })

  it('refuses a bad filter with the reason on the page', async () => {
    const res = await page('olderThan=soon')
    expect(res.status).toBe(400)
    const html = await res.text()
    expect(html).toContain('30m, 4h or 2d')
    expectNoInternals(html)
  })

  it('puts a record Salesforce refused back in line with Write again, and it leaves the queue', async () => {
    vi.restoreAllMocks() // the real OrgWriter, not the record sink the ledgers hand to
    const client = new DoubleWriterClient()
    useWriterClient(() => client)
    freezeClockAhead()
    const id = `in_console_${crypto.randomUUID().slice(0, 8)}`
    client.fail(id, 'business', 1)
    await env.ORG_WRITER.getByName('org').enqueue([
      {
        object: 'Billing_Invoice__c',
        externalIdField: 'External_Id__c',
        externalId: id,
        fields: { Amount_Due__c: 100, Status__c: 'open' },
        sourceUpdatedAt: Date.now(),
        accountId: account,
      },
    ])
    vi.setSystemTime(Date.now() + 2_000)
    await drainWriter()
    const cookie = await signInByLink()
    const html = await (await page(`q=${id}`, { cookie })).text()
    const action = `/console/exceptions/writes/Billing_Invoice__c/${id}/retry`
    expect(html).toContain(`action="${action}"`)
    const res = await consoleFetch(action, form({ _csrf: csrfIn(html) }, { cookie }))
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/console/exceptions?done=write')
    vi.setSystemTime(Date.now() + 2_000)
    await drainWriter()
    expect(client.records.has(`Billing_Invoice__c:${id}`)).toBe(true)
    expect(await (await page(`q=${id}`)).text()).toContain('Nothing here matches.')
  })
})
