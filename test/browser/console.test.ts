import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { until } from '../support/poll.ts'
import { expectAccessible, launchChromium, signIn } from './support/browser.ts'
import { control, postCreate } from './support/vendors.ts'

const stack = inject('consoleStack')
let browser: Browser

beforeAll(async () => {
  browser = await launchChromium()
})
afterAll(() => browser?.close())

/** The figure of an overview tile, as the page shows it (the tile's first text line). */
async function tile(page: Page, label: string): Promise<string> {
  await page.goto(`${stack.workerUrl}/console`)
  const value = page.locator('.tiles > div', { hasText: label }).locator('dd')
  return (await value.evaluate((dd) => dd.firstChild?.textContent ?? '')).trim()
}

/** Reloads `path` until `text` shows (the worker moves on in the background). */
async function untilShown(page: Page, path: string, text: string): Promise<void> {
  await until(
    `${path} to show "${text}"`,
    async () => {
      await page.goto(`${stack.workerUrl}${path}`)
      return (await page.content()).includes(text)
    },
    { timeoutMs: 90_000, intervalMs: 500 },
  )
}

/**
 * Narrows the exceptions page to the parked amendment with the filter form (htmx swaps the list
 * and keeps the address), then to a system it did not fail in; the axe check runs on each.
 */
async function filterQueue(page: Page, correlationId: string): Promise<void> {
  const form = page.getByRole('search', { name: 'Filter the exceptions' })
  await form.getByLabel('Search any id').fill(correlationId)
  await form.getByLabel('Category').selectOption('needs_approval')
  await form.getByRole('button', { name: 'Filter' }).click()
  await page.waitForURL(/category=needs_approval/)
  const rows = page.locator('#exceptions tbody tr')
  await expect.poll(() => rows.count()).toBe(1)
  expect(await rows.first().textContent()).toContain('Needs finance approval')
  expect(await page.locator('.counts').textContent()).toContain('Needs finance approval: 1')
  await expectAccessible(page, 'exceptions, filtered')
  await form.getByLabel('System').selectOption('netsuite')
  await form.getByRole('button', { name: 'Filter' }).click()
  await page.waitForURL(/system=netsuite/)
  await expect
    .poll(() => page.locator('#exceptions').textContent())
    .toContain('Nothing here matches.')
  await expectAccessible(page, 'exceptions, nothing matches')
}

describe('the console in Chromium', () => {
  it('parks a refused amendment, has its retry approved by a second person once the data is fixed, and traces it', async () => {
    const page = await signIn(browser, stack)
    await expectAccessible(page, 'overview')
    const parkedBefore = await tile(page, 'Parked amendments')

    // Stripe refuses every new subscription (402): a business failure, so the amendment parks.
    await control(stack.stripeUrl, 'faults', {
      rules: [{ route: '/^POST \\/v1\\/subscriptions$/', status: 402 }],
    })
    const account = stack.accounts[0]
    if (!account) throw new Error('the demo org has no Account')
    const sent = await postCreate(stack, account.id)
    await untilShown(page, '/console/exceptions', sent.correlationId)
    await expectAccessible(page, 'exceptions')
    await filterQueue(page, sent.correlationId)
    // The overview reads the per-minute roll-ups: the figure moves within a minute or so.
    await expect
      .poll(async () => Number(await tile(page, 'Parked amendments')), { timeout: 150_000 })
      .toBe(Number(parkedBefore) + 1)

    // The data is fixed in Stripe: new subscriptions go through again.
    await control(stack.stripeUrl, 'faults', { rules: [] })
    await page.goto(`${stack.workerUrl}/console/exceptions`)
    const row = page.locator('#exceptions tr', { hasText: sent.correlationId })
    await row.getByLabel('Retry note (optional)').fill('Stripe accepts the card again')
    await row.getByRole('button', { name: 'Ask to retry' }).click()

    // The retry will bill, so it waits for a second person: its request page shows the dry run
    // (the Stripe call it would make) and refuses its requester the approval.
    await page.waitForURL(/\/console\/approvals\/[^/?]+\?done=requested$/)
    const request = new URL(page.url()).pathname
    await expect.poll(() => page.content()).toContain('/v1/subscriptions')
    expect(await page.content()).toContain('another approver must approve or reject it')
    expect(await page.getByRole('button', { name: 'Approve and run' }).count()).toBe(0)
    await expectAccessible(page, 'approval request')

    const approver = await signIn(browser, stack, { name: 'finance-approver', role: 'approver' })
    await approver.goto(`${stack.workerUrl}${request}`)
    await approver.getByRole('button', { name: 'Approve and run' }).click()
    await untilShown(approver, request, 'executed')
    await approver.context().close()

    await untilShown(page, `/console/trace/${sent.correlationId}`, ': applied')
    await expect
      .poll(() => tile(page, 'Parked amendments'), { timeout: 150_000 })
      .toBe(parkedBefore)
    await page.screenshot({ path: 'docs/console-overview.png', fullPage: true })

    await page.getByRole('navigation').getByRole('link', { name: 'Trace' }).click()
    await page.getByLabel('Correlation id, Salesforce, Stripe or NetSuite id').fill(sent.eventUuid)
    await page.getByRole('button', { name: 'Find' }).click()
    await page.waitForURL(`${stack.workerUrl}/console/trace/${sent.correlationId}`)
    const html = await page.content()
    expect(html).toContain(`${sent.eventUuid}:billing`)
    expect(html).toMatch(/operator_retry/)
    expect(html).toMatch(/POST \/v1\/subscriptions<\/code>[\s\S]*?402/)
    await expectAccessible(page, 'trace')
    await page.screenshot({ path: 'docs/console-trace.png', fullPage: true })
    await page.locator('h3 a').first().click()
    await expect.poll(() => page.locator('h1').textContent()).toMatch(/Amendment|#1/)
    await expectAccessible(page, 'amendment')
    await page.goto(`${stack.workerUrl}/console/accounts/${account.id}`)
    await expectAccessible(page, 'account')
  })

  it('is usable from the keyboard: the skip link comes first and moves focus to the page', async () => {
    const page = await signIn(browser, stack)
    await page.keyboard.press('Tab')
    const focused = await page.evaluate(() => document.activeElement?.textContent?.trim())
    expect(focused).toBe('Skip to content')
    await page.keyboard.press('Enter')
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main')
    await page.goto(`${stack.workerUrl}/console/trace`)
    await expectAccessible(page, 'trace search')
    // Every control of the search form is reachable with Tab, and Enter submits it.
    await page.keyboard.press('Tab')
    for (let i = 0; i < 12; i++) {
      const id = await page.evaluate(() => document.activeElement?.id)
      if (id === 'trace-q') break
      await page.keyboard.press('Tab')
    }
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('trace-q')
    await page.keyboard.type('no-such-id')
    await page.keyboard.press('Enter')
    await expect.poll(() => page.content()).toContain('Nothing is known by no-such-id.')
  })

  it('reads with JavaScript off', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false })
    const page = await context.newPage()
    const signedIn = await signIn(browser, stack)
    const cookies = await signedIn.context().cookies()
    await context.addCookies(cookies)
    await page.goto(`${stack.workerUrl}/console/exceptions`)
    expect(await page.locator('h1').textContent()).toBe('Exceptions')
    // The filter form is a plain GET: it works without htmx.
    await page.getByLabel('Older than').fill('3d')
    await page.getByRole('button', { name: 'Filter' }).click()
    await page.waitForURL(/olderThan=3d/)
    expect(await page.getByLabel('Older than').inputValue()).toBe('3d')
    await page.goto(`${stack.workerUrl}/console/trace?q=no-such-id`)
    expect(await page.content()).toContain('Nothing is known by no-such-id.')
    await context.close()
  })
})
