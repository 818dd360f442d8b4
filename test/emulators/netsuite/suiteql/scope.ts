import { SuiteqlError, type Expr } from './ast.ts'
import type { Column, Table } from './tables.ts'

/** Table aliases in scope (lower case) → table. */
export type Scope = Map<string, Table>

/** Custom fields read as stored: list/record references as their id, booleans as 'T'/'F'. */
function customColumn(name: string): Column {
  return {
    get: (r) => {
      const v = r.fields[name]
      if (v && typeof v === 'object' && 'id' in v) return Number((v as { id: string }).id)
      if (typeof v === 'boolean') return v ? 'T' : 'F'
      return typeof v === 'string' || typeof v === 'number' ? v : null
    },
  }
}

function columnOf(table: Table, name: string): Column | undefined {
  return (
    table.columns[name] ??
    (table.customPrefix && name.startsWith(table.customPrefix) ? customColumn(name) : undefined)
  )
}

function unknown(scope: Scope, ident: string): SuiteqlError {
  const available = [...scope].map(([alias, t]) => `${alias}=${t.name}`).join(', ')
  return SuiteqlError.search(
    `Unknown identifier '${ident}'. Available identifiers are: {${available}}.`,
  )
}

/** Which alias and column a column reference means. */
export function resolve(
  scope: Scope,
  e: { table?: string; name: string },
): { alias: string; column: Column } {
  const name = e.name.toLowerCase()
  if (e.table) {
    const alias = e.table.toLowerCase()
    const table = scope.get(alias)
    const column = table && columnOf(table, name)
    if (!column) throw unknown(scope, `${e.table}.${e.name}`)
    return { alias, column }
  }
  const hits = [...scope].flatMap(([alias, t]) => {
    const column = columnOf(t, name)
    return column ? [{ alias, column }] : []
  })
  if (hits.length === 0) throw unknown(scope, e.name)
  if (hits.length > 1) throw SuiteqlError.search(`Ambiguous identifier '${e.name}'.`)
  return hits[0]!
}

/** Resolves every column reference up front, so a bad column fails even on an empty table. */
export function check(e: Expr | undefined, scope: Scope, aliases: Set<string> = new Set()): void {
  if (!e) return
  switch (e.kind) {
    case 'column':
      if (!e.table && aliases.has(e.name.toLowerCase())) return
      resolve(scope, e)
      return
    case 'call':
      if (e.name === 'BUILTIN.DF' && e.args[0]?.kind !== 'column')
        throw SuiteqlError.search('BUILTIN.DF takes a field.')
      return e.args.forEach((a) => check(a, scope, aliases))
    case 'unary':
    case 'isnull':
      return check(e.arg, scope, aliases)
    case 'binary':
      return [e.left, e.right].forEach((x) => check(x, scope, aliases))
    case 'in':
      return [e.arg, ...e.list].forEach((x) => check(x, scope, aliases))
    case 'like':
      return [e.arg, e.pattern].forEach((x) => check(x, scope, aliases))
    case 'between':
      return [e.arg, e.low, e.high].forEach((x) => check(x, scope, aliases))
    case 'case':
      return [e.subject, e.otherwise, ...e.whens.flatMap((w) => [w.when, w.then])].forEach((x) =>
        check(x, scope, aliases),
      )
  }
}
