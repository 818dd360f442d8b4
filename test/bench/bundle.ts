import { execFileSync } from 'node:child_process'
import {
  copyFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { wrangler } from './processes.ts'

const HARNESS = join('test', 'bench', 'harness', 'entry.js')
const MAIN = /^main\s*=.*$/m
/** The static assets' folder, relative in wrangler.toml: the copied config names it absolutely. */
const ASSETS_DIR = /^directory\s*=\s*"\.\/\.assets"$/m

/** The script every run serves, and the wrangler config (bindings, migrations) it goes with. */
export interface Bundle {
  script: string
  config: string
}

/**
 * Bundles the worker once, as `wrangler deploy` would, with the bench entry (harness/entry.js:
 * the production worker plus one bulk-load route) as `main`. Every run serves this same bundle,
 * so edits others make in the shared checkout meanwhile can't reload it mid-run. With `ref`, the
 * worker is built from that commit (`git archive`, read-only) instead of the working tree, for
 * when the tree holds someone's half-finished edit.
 * @throws Error when the build fails.
 */
export async function bundleWorker(outDir: string, ref?: string): Promise<Bundle> {
  let root = process.cwd()
  if (ref) {
    root = join(outDir, 'src')
    mkdirSync(root, { recursive: true })
    execFileSync('sh', ['-c', 'git archive --format=tar "$1" | tar -x -C "$2"', 'sh', ref, root])
    symlinkSync(resolve('node_modules'), join(root, 'node_modules'))
    mkdirSync(dirname(join(root, HARNESS)), { recursive: true })
    copyFileSync(HARNESS, join(root, HARNESS))
  }
  const toml = readFileSync(join(root, 'wrangler.toml'), 'utf8')
  if (!MAIN.test(toml)) throw new Error('wrangler.toml has no `main = …` line to replace')
  const config = join(outDir, 'wrangler.toml')
  if (!ASSETS_DIR.test(toml)) throw new Error('wrangler.toml has no `directory = "./.assets"` line')
  const absolute = toml
    .replace(MAIN, `main = ${JSON.stringify(join(root, HARNESS))}`)
    .replace(ASSETS_DIR, `directory = ${JSON.stringify(join(root, '.assets'))}`)
  writeFileSync(config, absolute)
  const dist = join(outDir, 'dist')
  const child = wrangler(['deploy', '--dry-run', '-c', config, '--outdir', dist], { cwd: root })
  let output = ''
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()))
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()))
  const code = await new Promise<number | null>((done) => child.once('exit', done))
  if (code !== 0)
    throw new Error(`wrangler deploy --dry-run failed (${code}):\n${output.slice(-2000)}`)
  // The entry's own file: the dist also holds the console's static assets (htmx.min.js).
  const files = readdirSync(dist)
  const script = files.find((f) => f === 'entry.js') ?? files.find((f) => f.endsWith('.js'))
  if (!script) throw new Error(`wrangler deploy --dry-run wrote no script to ${dist}`)
  // Served with --no-bundle, the script imports the modules the build wrote beside it (htmx as
  // a text module under a hashed name): let wrangler find them there.
  const served = join(outDir, 'wrangler.serve.toml')
  const extra = [
    'find_additional_modules = true',
    `base_dir = ${JSON.stringify(dist)}`,
    '[[rules]]',
    'type = "Text"',
    'globs = ["**/*htmx.min.js"]',
    'fallthrough = true',
  ].join('\n')
  const built = readFileSync(config, 'utf8')
  const firstTable = built.search(/^\[/m)
  writeFileSync(served, `${built.slice(0, firstTable)}${extra}\n${built.slice(firstTable)}`)
  return { script: join(dist, script), config: served }
}
