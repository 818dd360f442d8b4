import { readFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { functionSpans, importsOf, sourceFiles } from './structure.ts'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..')

/**
 * The layers of worker/, lowest first (README, "Where things are"). A module may import its own
 * folder or a folder of a lower layer, never one of its own layer or above.
 */
const LAYERS: ReadonlyArray<readonly string[]> = [
  ['worker/errors.ts'],
  ['worker/lib'],
  ['worker/config', 'worker/failure'],
  ['worker/connectors'],
  ['worker/webhooks'],
  ['worker/finance'],
  ['worker/writer'],
  ['worker/ledger'],
  ['worker/ops'],
  ['worker/intake'],
  ['worker/reconcile', 'worker/subscriber'],
  ['worker/objects'],
  ['worker/console'],
  ['worker/routes'],
  ['worker/app.ts'],
  ['worker/index.ts'],
]

/** The folder (or top-level file) a worker module belongs to, and its layer. */
function placeOf(file: string): { room: string; layer: number } {
  for (const [layer, rooms] of LAYERS.entries()) {
    const room = rooms.find((r) => file === r || file.startsWith(`${r}/`))
    if (room) return { room, layer }
  }
  throw new Error(`${file} is in no layer: add its folder to LAYERS`)
}

const files = sourceFiles(join(ROOT, 'worker')).map((f) => relative(ROOT, f))
const graph = new Map(files.map((f) => [f, importsOf(join(ROOT, f), ROOT)]))
const workerEdges = [...graph].flatMap(([from, tos]) =>
  tos.filter((to) => to.startsWith('worker/')).map((to) => ({ from, to })),
)

/** Every import circle among worker/ modules (Tarjan's strongly connected components). */
function circles(): string[][] {
  let index = 0
  const stack: string[] = []
  const onStack = new Set<string>()
  const order = new Map<string, number>()
  const low = new Map<string, number>()
  const found: string[][] = []
  const visit = (v: string) => {
    order.set(v, index)
    low.set(v, index++)
    stack.push(v)
    onStack.add(v)
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue
      if (!order.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v)!, low.get(w)!))
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, order.get(w)!))
    }
    if (low.get(v) !== order.get(v)) return
    const component: string[] = []
    let w: string | undefined
    do {
      w = stack.pop()!
      onStack.delete(w)
      component.push(w)
    } while (w !== v)
    if (component.length > 1) found.push(component.sort())
  }
  for (const v of graph.keys()) if (!order.has(v)) visit(v)
  return found
}

describe('the worker/ import graph', () => {
  it('reads every worker module', () => {
    expect(files.length).toBeGreaterThan(80)
    expect(workerEdges.length).toBeGreaterThan(200)
  })

  it('has no import circle, type-only imports included', () => {
    expect(circles()).toEqual([])
  })

  it('never imports from its own layer or a higher one (outside its own folder)', () => {
    const upward = workerEdges.flatMap(({ from, to }) => {
      const a = placeOf(from)
      const b = placeOf(to)
      return a.room !== b.room && b.layer >= a.layer ? [`${from} -> ${to}`] : []
    })
    expect(upward).toEqual([])
  })

  it('keeps each vendor connector to itself: no vendor folder imports another', () => {
    const vendor = (f: string) => /^worker\/connectors\/([^/]+)\//.exec(f)?.[1]
    const crossing = workerEdges.filter(({ from, to }) => {
      const a = vendor(from)
      const b = vendor(to)
      return a !== undefined && b !== undefined && a !== b
    })
    expect(crossing).toEqual([])
  })

  it('lets no module below the objects touch a binding or the Durable Object runtime', () => {
    const below = files.filter((f) => placeOf(f).layer < placeOf('worker/objects').layer)
    const touching = below.filter((f) =>
      /cloudflare:workers|DurableObjectNamespace|\bEnv\b/.test(readText(f)),
    )
    expect(touching).toEqual([])
  })
})

describe('worker/ functions', () => {
  it('are at most 60 lines each', () => {
    const long = files
      .flatMap((f) => functionSpans(join(ROOT, f), ROOT))
      .filter((s) => s.lines > 60)
      .map((s) => `${s.file} ${s.name}: ${s.lines} lines`)
    expect(long).toEqual([])
  })
})

function readText(file: string): string {
  return readFileSync(join(ROOT, file), 'utf8')
}
