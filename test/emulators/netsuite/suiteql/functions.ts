import { SuiteqlError } from './ast.ts'
import { compare, formatDate, implicitDate, parseDate, type SqlValue } from './values.ts'

/** A value during evaluation: SQL values plus the booleans conditions produce (null = unknown). */
export type Val = SqlValue | boolean

const asSql = (v: Val): SqlValue => (typeof v === 'boolean' ? (v ? 'T' : 'F') : v)

function numberOf(v: Val, fn: string): number | null {
  if (v === null) return null
  const n = typeof v === 'number' ? v : Number(v)
  if (typeof v === 'boolean' || v instanceof Date || Number.isNaN(n))
    throw SuiteqlError.search(`Invalid number in ${fn}.`)
  return n
}

function dateOf(v: Val, dateFormat: string): Date | null {
  if (v === null) return null
  if (v instanceof Date) return v
  return implicitDate(String(v), dateFormat)
}

/**
 * Scalar functions of the subset: TO_CHAR, TO_DATE, TO_TIMESTAMP, TRUNC, NVL, COALESCE, NULLIF,
 * UPPER, LOWER, LENGTH, SUBSTR, ABS, ROUND, SYSDATE, CURRENT_DATE, CURRENT_TIMESTAMP — all on
 * SuiteQL's supported-function list
 * (https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_158513731864.html).
 */
export function callScalar(name: string, args: Val[], now: number, dateFormat: string): Val {
  const [a = null, b = null] = args
  switch (name) {
    case 'SYSDATE':
    case 'CURRENT_DATE':
    case 'CURRENT_TIMESTAMP':
      return new Date(now)
    case 'TO_CHAR': {
      if (a === null) return null
      if (a instanceof Date) return formatDate(a, b === null ? 'YYYY-MM-DD HH24:MI:SS' : String(b))
      return String(asSql(a))
    }
    case 'TO_DATE':
    case 'TO_TIMESTAMP':
      if (a === null) return null
      if (a instanceof Date) return a
      return b === null ? implicitDate(String(a), dateFormat) : parseDate(String(a), String(b))
    case 'TRUNC': {
      if (
        a instanceof Date ||
        (typeof a === 'string' && args.length === 1 && Number.isNaN(Number(a)))
      ) {
        const d = dateOf(a, dateFormat)!
        return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()))
      }
      const n = numberOf(a, name)
      const places = numberOf(b, name) ?? 0
      return n === null ? null : Math.trunc(n * 10 ** places) / 10 ** places
    }
    case 'NVL':
      return a ?? b
    case 'COALESCE':
      return args.find((v) => v !== null) ?? null
    case 'NULLIF':
      return a !== null && b !== null && compare(asSql(a), asSql(b), dateFormat) === 0 ? null : a
    case 'UPPER':
      return a === null ? null : String(asSql(a)).toUpperCase()
    case 'LOWER':
      return a === null ? null : String(asSql(a)).toLowerCase()
    case 'LENGTH':
      return a === null ? null : String(asSql(a)).length
    case 'SUBSTR': {
      if (a === null) return null
      const s = String(asSql(a))
      const start = numberOf(b, name) ?? 1
      const from = start > 0 ? start - 1 : Math.max(0, s.length + start)
      const len = args.length > 2 ? numberOf(args[2]!, name) : null
      return s.substr(from, len ?? undefined) || null
    }
    case 'ABS': {
      const n = numberOf(a, name)
      return n === null ? null : Math.abs(n)
    }
    case 'ROUND': {
      const n = numberOf(a, name)
      const places = numberOf(b, name) ?? 0
      return n === null ? null : Math.round(n * 10 ** places) / 10 ** places
    }
    default:
      throw SuiteqlError.search(`Unsupported function ${name}.`)
  }
}

/** COUNT, SUM, MIN, MAX, AVG over one group's values (`values` null for COUNT(*)). */
export function callAggregate(
  name: string,
  values: Val[] | null,
  rows: number,
  distinct: boolean,
  dateFormat: string,
): Val {
  if (values === null) return rows
  let present = values.filter((v) => v !== null).map(asSql)
  if (distinct)
    present = [
      ...new Map(
        present.map((v) => [v instanceof Date ? v.getTime() : `${typeof v}:${String(v)}`, v]),
      ).values(),
    ]
  switch (name) {
    case 'COUNT':
      return present.length
    case 'SUM':
    case 'AVG': {
      if (present.length === 0) return null
      const sum = present.reduce<number>((s, v) => s + (numberOf(v, name) ?? 0), 0)
      return name === 'SUM' ? Math.round(sum * 1e6) / 1e6 : sum / present.length
    }
    case 'MIN':
    case 'MAX':
      return present.reduce<SqlValue>((best, v) => {
        if (best === null) return v
        const c = compare(v, best, dateFormat)!
        return (name === 'MIN' ? c < 0 : c > 0) ? v : best
      }, null)
    default:
      throw SuiteqlError.search(`Unsupported function ${name}.`)
  }
}

/** Oracle LIKE: `%` any run, `_` one character, case-sensitive. */
export function likeToRegExp(pattern: string): RegExp {
  const body = [...pattern]
    .map((c) => (c === '%' ? '.*' : c === '_' ? '.' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('')
  return new RegExp(`^${body}$`, 's')
}
