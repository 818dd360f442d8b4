import { SuiteqlError } from './ast.ts'

/** A SuiteQL value: booleans are NetSuite's 'T'/'F' strings, DATE/TIMESTAMP are `Date`s (UTC). */
export type SqlValue = string | number | Date | null

/**
 * Oracle datetime format masks, the subset SuiteQL queries use: YYYY YY MM MON DD HH24 HH12 HH MI
 * SS FF[1-9] AM/PM, "quoted text" and punctuation. The emulator's session time zone is UTC.
 */
const MASK =
  /"[^"]*"|YYYY|YY|MON|MM|DD|HH24|HH12|HH|MI|SS|FF[1-9]?|AM|PM|A\.M\.|P\.M\.|[^A-Za-z"]+|[A-Za-z]/gi
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC']
const pad = (n: number, w = 2) => String(n).padStart(w, '0')

/** TO_CHAR(date, mask). */
export function formatDate(d: Date, mask: string): string {
  return (mask.match(MASK) ?? [])
    .map((tok) => {
      const up = tok.toUpperCase()
      const h = d.getUTCHours()
      switch (up) {
        case 'YYYY':
          return String(d.getUTCFullYear())
        case 'YY':
          return pad(d.getUTCFullYear() % 100)
        case 'MM':
          return pad(d.getUTCMonth() + 1)
        case 'MON':
          return MONTHS[d.getUTCMonth()]!
        case 'DD':
          return pad(d.getUTCDate())
        case 'HH24':
          return pad(h)
        case 'HH12':
        case 'HH':
          return pad(h % 12 === 0 ? 12 : h % 12)
        case 'MI':
          return pad(d.getUTCMinutes())
        case 'SS':
          return pad(d.getUTCSeconds())
        case 'AM':
        case 'PM':
          return h < 12 ? 'AM' : 'PM'
        case 'A.M.':
        case 'P.M.':
          return h < 12 ? 'A.M.' : 'P.M.'
      }
      if (/^FF\d?$/.test(up))
        return pad(d.getUTCMilliseconds(), 3)
          .padEnd(Number(up[2] ?? 6), '0')
          .slice(0, Number(up[2] ?? 6))
      if (tok.startsWith('"')) return tok.slice(1, -1)
      if (/^[A-Za-z]$/.test(tok)) throw SuiteqlError.search(`Invalid date format mask '${mask}'.`)
      return tok
    })
    .join('')
}

/** TO_DATE / TO_TIMESTAMP(text, mask). */
export function parseDate(text: string, mask: string): Date {
  const bad = () => SuiteqlError.search(`The value '${text}' does not match the format '${mask}'.`)
  let rest = text
  const p = { y: 1970, mo: 1, d: 1, h: 0, mi: 0, s: 0, ms: 0, pm: undefined as boolean | undefined }
  const digits = (max: number) => {
    const m = new RegExp(`^\\d{1,${max}}`).exec(rest)
    if (!m) throw bad()
    rest = rest.slice(m[0].length)
    return m[0]
  }
  const num = (max: number) => Number(digits(max))
  for (const tok of mask.match(MASK) ?? []) {
    const up = tok.toUpperCase()
    if (up === 'YYYY') p.y = num(4)
    else if (up === 'YY') p.y = 2000 + num(2)
    else if (up === 'MM') p.mo = num(2)
    else if (up === 'MON') {
      p.mo = MONTHS.indexOf(rest.slice(0, 3).toUpperCase()) + 1
      if (p.mo === 0) throw bad()
      rest = rest.slice(3)
    } else if (up === 'DD') p.d = num(2)
    else if (up === 'HH24' || up === 'HH' || up === 'HH12') p.h = num(2)
    else if (up === 'MI') p.mi = num(2)
    else if (up === 'SS') p.s = num(2)
    else if (/^FF\d?$/.test(up)) p.ms = Math.round(Number(`0.${digits(9)}`) * 1000)
    else if (['AM', 'PM', 'A.M.', 'P.M.'].includes(up)) {
      const m = /^(A\.?M\.?|P\.?M\.?)/i.exec(rest)
      if (!m) throw bad()
      p.pm = m[0].toUpperCase().startsWith('P')
      rest = rest.slice(m[0].length)
    } else {
      const lit = tok.startsWith('"') ? tok.slice(1, -1) : tok
      if (!rest.startsWith(lit)) throw bad()
      rest = rest.slice(lit.length)
    }
  }
  if (rest.trim() !== '') throw bad()
  if (p.pm !== undefined) p.h = (p.h % 12) + (p.pm ? 12 : 0)
  const d = new Date(Date.UTC(p.y, p.mo - 1, p.d, p.h, p.mi, p.s, p.ms))
  if (d.getUTCMonth() !== p.mo - 1 || d.getUTCDate() !== p.d) throw bad()
  return d
}

/** A date given as text without TO_DATE: ISO forms, or the account's M/D/YYYY style. */
export function implicitDate(text: string, dateFormat: string): Date {
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const d = new Date(
      text.length === 10
        ? `${text}T00:00:00Z`
        : text.replace(' ', 'T').replace(/(T[\d:.]+)$/, '$1Z'),
    )
    if (!Number.isNaN(d.getTime())) return d
  }
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text)
  if (m) {
    const [a, b] = [Number(m[1]), Number(m[2])]
    const [mo, d] = dateFormat.startsWith('D') ? [b, a] : [a, b]
    return new Date(Date.UTC(Number(m[3]), mo - 1, d))
  }
  throw SuiteqlError.search(`The value '${text}' is not a valid date.`)
}

/** Three-way compare with Oracle's implicit conversions; undefined when either side is NULL. */
export function compare(a: SqlValue, b: SqlValue, dateFormat: string): number | undefined {
  if (a === null || b === null) return undefined
  if (a instanceof Date || b instanceof Date) {
    const x = a instanceof Date ? a : implicitDate(String(a), dateFormat)
    const y = b instanceof Date ? b : implicitDate(String(b), dateFormat)
    return Math.sign(x.getTime() - y.getTime())
  }
  if (typeof a === 'number' || typeof b === 'number') {
    const x = Number(a)
    const y = Number(b)
    if (Number.isNaN(x) || Number.isNaN(y)) throw SuiteqlError.search('Invalid number.')
    return Math.sign(x - y)
  }
  return a < b ? -1 : a > b ? 1 : 0
}

/** The value as SuiteQL's REST answer prints it: everything is a string; NULLs are left out. */
export function renderValue(v: SqlValue, dateFormat: string): string | undefined {
  if (v === null) return undefined
  if (v instanceof Date) {
    const mask =
      dateFormat === 'YYYY-MM-DD'
        ? 'YYYY-MM-DD'
        : dateFormat === 'D/M/YYYY'
          ? 'D/M/YYYY'
          : 'M/D/YYYY'
    const [y, m, d] = [v.getUTCFullYear(), v.getUTCMonth() + 1, v.getUTCDate()]
    return mask === 'YYYY-MM-DD'
      ? `${y}-${pad(m)}-${pad(d)}`
      : mask === 'D/M/YYYY'
        ? `${d}/${m}/${y}`
        : `${m}/${d}/${y}`
  }
  return String(v)
}
