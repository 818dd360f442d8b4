/**
 * A static estimate of Apex test coverage, since the Apex tests can only run in an org: the lines
 * of every method or constructor that the test classes can reach through calls, over the lines of
 * all of them. It reads calls, not branches, so it is an upper bound on what an org reports; a
 * method no test reaches shows as uncovered. Platform entry points count as reached once their
 * class is constructed where tests reach (a Queueable's `execute`, a mock's `respond`, ...).
 */
import { basename } from 'node:path'
import { ApexErrorListener, ApexParserFactory } from '@apexdevtools/apex-parser'
import { read } from './project.ts'

export interface Unit {
  file: string
  className: string
  name: string
  body: string
  lines: number
}

export interface CoverageEstimate {
  perClass: Array<{ className: string; covered: number; total: number; percent: number }>
  covered: number
  total: number
  percent: number
  unreached: string[]
}

/** Syntax errors are the parse check's business (apex.test.ts); here they are ignored. */
class QuietListener extends ApexErrorListener {
  override apexSyntaxError(): void {}
}

interface ParseNode {
  constructor: { name: string }
  children?: ParseNode[] | null
  start: { line: number }
  stop?: { line: number } | null
  id?: () => { getText(): string }
  qualifiedName?: () => { getText(): string }
}

/** Entry points the platform calls on an object it was handed. */
const PLATFORM_METHODS = new Set(['execute', 'finish', 'start', 'respond', 'call'])
const KEYWORDS = new Set([
  'if',
  'for',
  'while',
  'catch',
  'switch',
  'return',
  'new',
  'super',
  'this',
])

const codeLines = (text: string) =>
  text
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.trim().startsWith('//')).length

/** The methods and constructors of one Apex class file (inner classes under the outer name). */
export function unitsOf(file: string): Unit[] {
  const source = read(file)
  const lines = source.split('\n')
  const { parser } = ApexParserFactory.createLexerAndParser(source, new QuietListener())
  const units: Unit[] = []
  const className = basename(file, '.cls')
  const walk = (node: ParseNode) => {
    const kind = node.constructor.name
    if (kind === 'MethodDeclarationContext' || kind === 'ConstructorDeclarationContext') {
      const name =
        kind === 'MethodDeclarationContext'
          ? (node.id?.().getText() ?? '?')
          : (node.qualifiedName?.().getText() ?? '?')
      const body = lines.slice(node.start.line - 1, node.stop?.line ?? node.start.line).join('\n')
      units.push({ file, className, name, body, lines: codeLines(body) })
    }
    for (const child of node.children ?? []) walk(child)
  }
  walk(parser.compilationUnit() as unknown as ParseNode)
  return units
}

const TRIGGER = '(trigger)'

/** A trigger file as one unit: it runs whole when its event or DML happens. */
function triggerUnit(file: string): Unit {
  const body = read(file)
  return {
    file,
    className: basename(file, '.trigger'),
    name: TRIGGER,
    body,
    lines: codeLines(body),
  }
}

/** What `text` calls: `Class.method`, `new Class`, and bare or dotted method names. */
function callsIn(text: string): {
  qualified: Set<string>
  constructed: Set<string>
  names: Set<string>
  onObjects: Set<string>
} {
  const qualified = new Set<string>()
  const constructed = new Set<string>()
  const names = new Set<string>()
  for (const m of text.matchAll(/\b([A-Z]\w*)\.(\w+)\s*\(/g)) qualified.add(`${m[1]}.${m[2]}`)
  for (const m of text.matchAll(/\bnew\s+([A-Z]\w*)(?:\.(\w+))?\s*\(/g)) {
    constructed.add(m[1] ?? '')
    if (m[2]) constructed.add(m[2])
  }
  const onObjects = new Set<string>()
  for (const m of text.matchAll(/(\.?)(\w+)\s*\(/g)) {
    const name = m[2] ?? ''
    if (KEYWORDS.has(name)) continue
    if (m[1] === '.') onObjects.add(name)
    else names.add(name)
  }
  return { qualified, constructed, names, onObjects }
}

/**
 * Estimates coverage of the classes in `classFiles` by the tests in `testFiles`.
 * A unit is reached when a reached text names it as `Class.method(`, calls it bare from inside
 * its own class, calls an instance method of that name on some object (receivers are not typed
 * here), or constructs its class (constructors, and platform entry points).
 */
export function estimateCoverage(
  classFiles: string[],
  testFiles: string[],
  triggerFiles: string[] = [],
): CoverageEstimate {
  const units = [...classFiles.flatMap(unitsOf), ...triggerFiles.map(triggerUnit)]
  const reached = new Set<Unit>()
  let frontier = testFiles.map((f) => ({ text: read(f), className: basename(f, '.cls') }))
  while (frontier.length > 0) {
    const next: Unit[] = []
    for (const { text, className } of frontier) {
      const calls = callsIn(text)
      for (const unit of units) {
        if (reached.has(unit)) continue
        const constructedHere =
          calls.constructed.has(unit.className) || calls.constructed.has(unit.name)
        // A platform-event trigger runs when a test delivers the events it published.
        const delivered = unit.name === TRIGGER && text.includes('getEventBus().deliver(')
        const hit =
          delivered ||
          calls.qualified.has(`${unit.className}.${unit.name}`) ||
          (unit.className === className && calls.names.has(unit.name)) ||
          (calls.onObjects.has(unit.name) && !unit.body.includes(' static ')) ||
          (constructedHere && (unit.name === unit.className || PLATFORM_METHODS.has(unit.name)))
        if (hit) next.push(unit)
      }
    }
    for (const unit of next) reached.add(unit)
    frontier = next.map((u) => ({ text: u.body, className: u.className }))
  }
  const byClass = new Map<string, { covered: number; total: number }>()
  for (const unit of units) {
    const entry = byClass.get(unit.className) ?? { covered: 0, total: 0 }
    entry.total += unit.lines
    if (reached.has(unit)) entry.covered += unit.lines
    byClass.set(unit.className, entry)
  }
  const percent = (c: number, t: number) => (t === 0 ? 100 : Math.round((c / t) * 1000) / 10)
  const perClass = [...byClass].map(([className, { covered, total }]) => ({
    className,
    covered,
    total,
    percent: percent(covered, total),
  }))
  const covered = perClass.reduce((s, c) => s + c.covered, 0)
  const total = perClass.reduce((s, c) => s + c.total, 0)
  const unreached = units.filter((u) => !reached.has(u)).map((u) => `${u.className}.${u.name}`)
  return { perClass, covered, total, percent: percent(covered, total), unreached }
}
