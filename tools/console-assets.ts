import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * Builds the static files into `.assets/` (Workers Static Assets, `[assets]` in wrangler.toml):
 * the console's vendor JavaScript straight from its npm package, never a committed copy, under a
 * path that carries its version so it is cached for a year and an upgrade is a new URL; the
 * console's stylesheet; and the API's OpenAPI document at /v1/openapi.json, from the committed
 * `worker/routes/openapi.json` (`npm run openapi`; a node test keeps it equal to what the route
 * schemas generate). Cloudflare serves these at the edge without running the worker, and they are
 * not part of the worker's script bundle. wrangler runs this as its `[build]` command (dev and
 * deploy); the vitest config runs it before the workerd tests start.
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
export const ASSETS_DIR = join(ROOT, '.assets')
const require = createRequire(import.meta.url)

/** Every vendor file the console loads: its package, the file in it, the name it is served as. */
const VENDOR_FILES = [{ pkg: 'htmx.org', file: 'dist/htmx.min.js', name: 'htmx' }]
/** The console's own files, from the worker's console folder. */
const OWN_FILES = ['console.css']
const CONSOLE_DIR = join(ROOT, 'worker', 'console')
/** Documents served as they are committed: the source file, the path it is served at. */
const DOCUMENTS = [
  { source: join(ROOT, 'worker', 'routes', 'openapi.json'), path: '/v1/openapi.json' },
]

const versionOf = (pkg: string) =>
  (JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')) as { version: string })
    .version

const HEADERS = `# Versioned vendor files: a new version is a new URL.
/console/static/vendor/*
  Cache-Control: public, max-age=31536000, immutable
  X-Content-Type-Options: nosniff
# The console's own files change with a deploy.
/console/static/console.css
  Cache-Control: public, max-age=3600
  X-Content-Type-Options: nosniff
# The API's OpenAPI document changes with a deploy.
/v1/openapi.json
  Cache-Control: public, max-age=300
  X-Content-Type-Options: nosniff
`

export function buildConsoleAssets(outDir = ASSETS_DIR): string[] {
  rmSync(outDir, { recursive: true, force: true })
  const staticDir = join(outDir, 'console', 'static')
  mkdirSync(join(staticDir, 'vendor'), { recursive: true })
  const vendor = VENDOR_FILES.map(({ pkg, file, name }) => {
    const target = `vendor/${name}-${versionOf(pkg)}.min.js`
    cpSync(require.resolve(`${pkg}/${file}`), join(staticDir, target))
    return `/console/static/${target}`
  })
  const own = OWN_FILES.map((file) => {
    cpSync(join(CONSOLE_DIR, file), join(staticDir, file))
    return `/console/static/${file}`
  })
  const documents = DOCUMENTS.map(({ source, path }) => {
    mkdirSync(dirname(join(outDir, path)), { recursive: true })
    cpSync(source, join(outDir, path))
    return path
  })
  const written = [...vendor, ...own, ...documents]
  writeFileSync(join(outDir, '_headers'), HEADERS)
  return written
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const path of buildConsoleAssets()) console.log(`static asset: ${path}`)
}
