import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..')

/**
 * The deploy bundle's size: what `wrangler deploy` would upload (minified, no source map), every
 * module counted: the script and the modules beside it (the console's htmx, a text module).
 */
export function measureBundle(): { rawBytes: number; gzipBytes: number } {
  const out = mkdtempSync(join(tmpdir(), 'concord-bundle-'))
  try {
    execFileSync('npx', ['wrangler', 'deploy', '--dry-run', '--outdir', out], {
      cwd: ROOT,
      stdio: 'pipe',
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
    })
    const modules = readdirSync(out).filter((f) => !f.endsWith('.map') && f !== 'README.md')
    let rawBytes = 0
    let gzipBytes = 0
    for (const file of modules) {
      const code = readFileSync(join(out, file))
      rawBytes += code.byteLength
      gzipBytes += gzipSync(code, { level: 9 }).byteLength
    }
    return { rawBytes, gzipBytes }
  } finally {
    rmSync(out, { recursive: true, force: true })
  }
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { rawBytes, gzipBytes } = measureBundle()
  console.log(`worker bundle: ${kib(rawBytes)} raw, ${kib(gzipBytes)} gzip (goal ≤ 100 KiB gzip)`)
}
