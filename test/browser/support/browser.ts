import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { chromium, type Browser, type Page } from 'playwright-core'
import { expect } from 'vitest'
import type { LinkIdentity } from '../../../worker/console/login-link.ts'
import { mintLoginCode } from '../../../worker/console/login-link.ts'
import type { ConsoleStackInfo } from './stack.ts'

/** Debian's Chromium (`apt-get install chromium`; `.ci/run` installs it when missing). */
export const CHROMIUM = '/usr/bin/chromium'

/** Real Chromium, headless, driven by playwright-core (which ships no browser of its own). */
export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)`,
    )
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  })
}

/**
 * Signs in through a one-time link in a fresh browser context (its own cookies), as the local
 * person (admin) or as `as` (another person and role, for flows that need two people).
 */
export async function signIn(
  browser: Browser,
  stack: ConsoleStackInfo,
  as?: LinkIdentity,
): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
  const page = await context.newPage()
  const code = await mintLoginCode(stack.loginSecret, as ? { as } : {})
  await page.goto(`${stack.workerUrl}/console/login?code=${encodeURIComponent(code)}`)
  await expectAccessible(page, 'sign-in')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL(`${stack.workerUrl}/console`)
  await expect
    .poll(() => page.locator('header .who').textContent())
    .toContain(as ? `${as.name} (${as.role})` : 'local-console (admin)')
  return page
}

const AXE_SOURCE = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
)

type AxeViolation = { id: string; impact: string | null; help: string; nodes: unknown[] }

/**
 * Runs axe-core in the page (through the DevTools protocol, so the console's CSP, which allows
 * no inline script, stays on) and fails on any serious or critical violation, naming each.
 */
export async function expectAccessible(page: Page, name: string): Promise<void> {
  await page.evaluate(AXE_SOURCE)
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: unknown[] }> } })
      .axe
    return (await axe.run()).violations
  })
  const serious = (violations as AxeViolation[]).filter(
    (v) => v.impact === 'serious' || v.impact === 'critical',
  )
  const described = serious.map((v) => `${v.id} (${v.impact}): ${v.help} ×${v.nodes.length}`)
  expect(described, `axe on the ${name} page`).toEqual([])
}
