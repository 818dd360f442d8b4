import type { RecordContext } from '../records/model.ts'
import type { NsRecord } from '../store.ts'
import { AGGREGATES, hasAggregate, SuiteqlError, type Expr, type Query } from './ast.ts'
import { check, resolve, type Scope } from './scope.ts'
import { callAggregate, callScalar, likeToRegExp, type Val } from './functions.ts'
import { TABLES } from './tables.ts'
import { compare, type SqlValue } from './values.ts'

/** One joined row: alias → record (null where a LEFT JOIN found nothing). */
type Env = Map<string, NsRecord | null>

interface Ctx {
  rctx: RecordContext
  scope: Scope
  dateFormat: string
  /** The rows of the current group, in an aggregate query. */
  group?: Env[]
}

export interface ResultRow {
  /** Output columns in select order; keys are lower case like NetSuite's. */
  values: Array<[string, SqlValue]>
}

const not3 = (v: Val): Val => (v === null ? null : !v)

function evaluate(e: Expr, env: Env, c: Ctx): Val {
  const cmp = (a: Val, b: Val) => compare(toSql(a), toSql(b), c.dateFormat)
  switch (e.kind) {
    case 'literal':
      return e.value
    case 'column': {
      const { alias, column } = resolve(c.scope, e)
      const row = env.get(alias)
      return row ? column.get(row, c.rctx) : null
    }
    case 'call':
      return call(e, env, c)
    case 'unary': {
      const v = evaluate(e.arg, env, c)
      if (e.op === 'NOT') return not3(v)
      return v === null ? null : -Number(v)
    }
    case 'isnull': {
      const isNull = evaluate(e.arg, env, c) === null
      return e.not ? !isNull : isNull
    }
    case 'in': {
      const v = evaluate(e.arg, env, c)
      const results = e.list.map((x) => cmp(v, evaluate(x, env, c)))
      const found = results.some((r) => r === 0)
        ? true
        : results.some((r) => r === undefined)
          ? null
          : false
      return e.not ? not3(found) : found
    }
    case 'like': {
      const v = evaluate(e.arg, env, c)
      const p = evaluate(e.pattern, env, c)
      if (v === null || p === null) return null
      const hit = likeToRegExp(String(p)).test(String(toSql(v)))
      return e.not ? !hit : hit
    }
    case 'between': {
      const v = evaluate(e.arg, env, c)
      const lo = cmp(v, evaluate(e.low, env, c))
      const hi = cmp(v, evaluate(e.high, env, c))
      const within = lo === undefined || hi === undefined ? null : lo >= 0 && hi <= 0
      return e.not ? not3(within) : within
    }
    case 'case': {
      const subject = e.subject ? evaluate(e.subject, env, c) : undefined
      for (const w of e.whens) {
        const hit = e.subject
          ? cmp(subject!, evaluate(w.when, env, c)) === 0
          : evaluate(w.when, env, c) === true
        if (hit) return evaluate(w.then, env, c)
      }
      return e.otherwise ? evaluate(e.otherwise, env, c) : null
    }
    case 'binary':
      return binary(
        e.op,
        evaluate(e.left, env, c),
        e.op === 'AND' || e.op === 'OR'
          ? () => evaluate(e.right, env, c)
          : evaluate(e.right, env, c),
        c,
      )
  }
}

const toSql = (v: Val): SqlValue => (typeof v === 'boolean' ? (v ? 'T' : 'F') : v)

function binary(op: string, a: Val, right: Val | (() => Val), c: Ctx): Val {
  const b = () => (typeof right === 'function' ? right() : right)
  if (op === 'AND')
    return a === false
      ? false
      : ((r: Val) => (r === false ? false : a === null || r === null ? null : true))(b())
  if (op === 'OR')
    return a === true
      ? true
      : ((r: Val) => (r === true ? true : a === null || r === null ? null : false))(b())
  const bv = b()
  if (op === '||')
    return `${a === null ? '' : String(toSql(a))}${bv === null ? '' : String(toSql(bv))}`
  if (['=', '<>', '<', '>', '<=', '>='].includes(op)) {
    const r = compare(toSql(a), toSql(bv), c.dateFormat)
    if (r === undefined) return null
    return { '=': r === 0, '<>': r !== 0, '<': r < 0, '>': r > 0, '<=': r <= 0, '>=': r >= 0 }[op]!
  }
  if (a === null || bv === null) return null
  const day = 86_400_000
  if (a instanceof Date && bv instanceof Date && op === '-')
    return (a.getTime() - bv.getTime()) / day
  if (a instanceof Date && (op === '+' || op === '-'))
    return new Date(a.getTime() + (op === '+' ? 1 : -1) * Number(bv) * day)
  const [x, y] = [Number(a), Number(bv)]
  if (Number.isNaN(x) || Number.isNaN(y)) throw SuiteqlError.search('Invalid number.')
  if (op === '/' && y === 0) throw SuiteqlError.search('Division by zero.')
  return op === '+' ? x + y : op === '-' ? x - y : op === '*' ? x * y : x / y
}

function call(e: Extract<Expr, { kind: 'call' }>, env: Env, c: Ctx): Val {
  if (AGGREGATES.has(e.name)) {
    const rows = c.group ?? [env]
    const values = e.star
      ? null
      : rows.map((r) => evaluate(e.args[0]!, r, { ...c, group: undefined }))
    return callAggregate(e.name, values, rows.length, !!e.distinct, c.dateFormat)
  }
  if (e.name === 'BUILTIN.DF') {
    const col = e.args[0] as Extract<Expr, { kind: 'column' }>
    const { alias, column } = resolve(c.scope, col)
    const row = env.get(alias)
    return row ? (column.display ?? column.get)(row, c.rctx) : null
  }
  return callScalar(
    e.name,
    e.args.map((a) => evaluate(a, env, c)),
    c.rctx.clock.now(),
    c.dateFormat,
  )
}

/** Runs a parsed query over the records; returns every result row (paging is the caller's). */
export function runQuery(q: Query, rctx: RecordContext, dateFormat: string): ResultRow[] {
  const scope: Scope = new Map()
  for (const ref of [q.from, ...q.joins.map((j) => j.table)]) {
    const table = TABLES[ref.name.toLowerCase()]
    if (!table)
      throw new SuiteqlError(
        `Invalid search query. Detailed unprocessed description follows. Invalid search type: ${ref.name}.`,
      )
    scope.set(ref.alias.toLowerCase(), table)
  }
  const outputs = q.star
    ? [...scope].flatMap(([alias, t]) =>
        Object.keys(t.columns).map((name) => ({
          key: name,
          expr: { kind: 'column', table: alias, name } satisfies Expr,
        })),
      )
    : q.items.map((item, i) => ({
        key: (
          item.alias ?? (item.expr.kind === 'column' ? item.expr.name : `expr${i + 1}`)
        ).toLowerCase(),
        expr: item.expr,
      }))
  const aliases = new Set(outputs.map((o) => o.key))
  outputs.forEach((o) => check(o.expr, scope))
  q.joins.forEach((j) => check(j.on, scope))
  check(q.where, scope)
  q.groupBy.forEach((g) => check(g, scope))
  q.orderBy.forEach((o) => check(o.expr, scope, aliases))

  const c: Ctx = { rctx, scope, dateFormat }
  let envs: Env[] = TABLES[q.from.name.toLowerCase()]!.rows(rctx).map(
    (r) => new Map([[q.from.alias.toLowerCase(), r]]),
  )
  for (const join of q.joins) {
    const alias = join.table.alias.toLowerCase()
    const rows = scope.get(alias)!.rows(rctx)
    envs = envs.flatMap((env) => {
      const hits = rows
        .map((r) => new Map([...env, [alias, r]]))
        .filter((next) => evaluate(join.on, next, c) === true)
      return hits.length > 0 ? hits : join.type === 'left' ? [new Map([...env, [alias, null]])] : []
    })
  }
  if (q.where) envs = envs.filter((env) => evaluate(q.where!, env, c) === true)

  const aggregate = q.groupBy.length > 0 || outputs.some((o) => hasAggregate(o.expr))
  let groups: Env[][] = envs.map((env) => [env])
  if (aggregate) {
    const byKey = new Map<string, Env[]>()
    for (const env of envs) {
      const key = JSON.stringify(q.groupBy.map((g) => String(toSql(evaluate(g, env, c)))))
      byKey.set(key, [...(byKey.get(key) ?? []), env])
    }
    groups = q.groupBy.length === 0 && byKey.size === 0 ? [[]] : [...byKey.values()]
  }
  const rows = groups.map((group) => {
    const env = group[0] ?? new Map<string, NsRecord | null>()
    const gc: Ctx = aggregate ? { ...c, group } : c
    const values = outputs.map(
      (o) => [o.key, toSql(evaluate(o.expr, env, gc))] as [string, SqlValue],
    )
    const sortKeys = q.orderBy.map((o) => {
      if (o.expr.kind === 'literal' && typeof o.expr.value === 'number')
        return values[o.expr.value - 1]?.[1] ?? null
      if (o.expr.kind === 'column' && !o.expr.table && aliases.has(o.expr.name.toLowerCase())) {
        const name = o.expr.name.toLowerCase()
        return values.find(([k]) => k === name)![1]
      }
      return toSql(evaluate(o.expr, env, gc))
    })
    return { values, sortKeys }
  })
  rows.sort((x, y) => {
    for (const [i, o] of q.orderBy.entries()) {
      const [a, b] = [x.sortKeys[i] ?? null, y.sortKeys[i] ?? null]
      const nullsFirst = o.nullsFirst ?? o.desc
      if (a === null || b === null) {
        if (a === b) continue
        return (a === null) === nullsFirst ? -1 : 1
      }
      const r = compare(a, b, dateFormat)!
      if (r !== 0) return o.desc ? -r : r
    }
    return 0
  })
  let out = rows.map((r) => ({ values: r.values }))
  if (q.distinct) {
    const seen = new Set<string>()
    out = out.filter((r) => {
      const key = JSON.stringify(r.values.map(([, v]) => (v instanceof Date ? v.getTime() : v)))
      return seen.has(key) ? false : (seen.add(key), true)
    })
  }
  return q.top === undefined ? out : out.slice(0, q.top)
}
