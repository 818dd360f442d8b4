import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { buildConsoleAssets } from '../../tools/console-assets.ts'
import { OPENAPI_PATH } from '../support/openapi.ts'
import { HTMX_PATH, STYLESHEET_PATH } from '../../worker/console/assets.ts'

/**
 * The console's vendor files are Workers Static Assets (wrangler's build step writes them), so the
 * worker tests in workerd never see them: here the build is checked against the paths the pages
 * load. `npm start` and the browser tests load them from `wrangler dev`.
 */
describe('the static assets', () => {
  const out = mkdtempSync(join(tmpdir(), 'concord-assets-'))
  afterAll(() => rmSync(out, { recursive: true, force: true }))

  it('builds htmx from the htmx.org package at the versioned path the pages load, and the stylesheet', () => {
    expect(buildConsoleAssets(out)).toEqual([HTMX_PATH, STYLESHEET_PATH, '/v1/openapi.json'])
    expect(HTMX_PATH).toMatch(/^\/console\/static\/vendor\/htmx-\d+\.\d+\.\d+\.min\.js$/)
    expect(readFileSync(join(out, STYLESHEET_PATH), 'utf8')).toContain(':focus-visible')
    const source = readFileSync(join(out, HTMX_PATH), 'utf8')
    expect(source.length).toBeGreaterThan(20_000)
    expect(source).toContain('htmx')
  })

  it('copies the committed OpenAPI document to /v1/openapi.json, byte for byte', () => {
    expect(readFileSync(join(out, 'v1', 'openapi.json'), 'utf8')).toBe(
      readFileSync(OPENAPI_PATH, 'utf8'),
    )
    expect(readFileSync(join(out, '_headers'), 'utf8')).toMatch(
      /^\/v1\/openapi\.json\n\s+Cache-Control: public, max-age=300$/m,
    )
  })

  it('marks vendor files cacheable for a year (a new version is a new path), the stylesheet for an hour', () => {
    const headers = readFileSync(join(out, '_headers'), 'utf8')
    expect(headers).toMatch(
      /^\/console\/static\/vendor\/\*\n\s+Cache-Control: public, max-age=31536000, immutable$/m,
    )
    expect(headers).toMatch(
      /^\/console\/static\/console\.css\n\s+Cache-Control: public, max-age=3600$/m,
    )
  })
})
