import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ASSETS_DIR } from '../../tools/console-assets.ts'
import { gzipSync } from 'node:zlib'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..')

/**
 * The deploy bundle's size: the worker script `wrangler deploy` would upload (minified, no source
 * map), every module counted. The console's vendor files are Workers Static Assets, uploaded
 * beside the script and served without it (`tools/console-assets.ts`): reported apart.
 */
export function measureBundle(): { rawBytes: number; gzipBytes: number; assets: Sizes } {
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
    return { rawBytes, gzipBytes, assets: measureFiles(ASSETS_DIR) }
  } finally {
    rmSync(out, { recursive: true, force: true })
  }
}

type Sizes = { files: number; rawBytes: number; gzipBytes: number }

/** Every file under `dir`, raw and gzip. */
function measureFiles(dir: string): Sizes {
  const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((f) => f.isFile())
  const sizes = { files: files.length, rawBytes: 0, gzipBytes: 0 }
  for (const file of files) {
    const data = readFileSync(join(file.parentPath, file.name))
    sizes.rawBytes += data.byteLength
    sizes.gzipBytes += gzipSync(data, { level: 9 }).byteLength
  }
  return sizes
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { rawBytes, gzipBytes, assets } = measureBundle()
  console.log(`worker bundle: ${kib(rawBytes)} raw, ${kib(gzipBytes)} gzip (goal ≤ 100 KiB gzip)`)
  console.log(
    `static assets: ${assets.files} files, ${kib(assets.rawBytes)} raw, ${kib(assets.gzipBytes)} gzip (served at the edge, not in the bundle)`,
  )
}
