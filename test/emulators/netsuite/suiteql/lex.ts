import { SuiteqlError } from './ast.ts'

/** A SuiteQL token. */
export type Token =
  | { t: 'word'; v: string; quoted: boolean }
  | { t: 'str'; v: string }
  | { t: 'num'; v: number }
  | { t: 'op'; v: string }
  | { t: 'end' }

const OPS = ['<>', '!=', '<=', '>=', '||', '=', '<', '>', '(', ')', ',', '*', '+', '-', '/', '.']

/**
 * Splits SQL text into tokens: words (optionally "quoted"), 'strings' with '' escapes, numbers,
 * operators; line (--) and block comments are skipped.
 * @throws SuiteqlError on an unterminated string, identifier or comment, or a stray character.
 */
export function lex(sql: string): Token[] {
  const out: Token[] = []
  let i = 0
  while (i < sql.length) {
    const c = sql[i]!
    if (/\s/.test(c)) i++
    else if (sql.startsWith('--', i))
      i = sql.indexOf('\n', i) < 0 ? sql.length : sql.indexOf('\n', i)
    else if (sql.startsWith('/*', i)) {
      const end = sql.indexOf('*/', i + 2)
      if (end < 0) throw SuiteqlError.syntax()
      i = end + 2
    } else if (c === "'") {
      let v = ''
      for (i++; ; i++) {
        if (i >= sql.length) throw SuiteqlError.syntax()
        if (sql[i] === "'" && sql[i + 1] === "'") {
          v += "'"
          i++
        } else if (sql[i] === "'") break
        else v += sql[i]
      }
      out.push({ t: 'str', v })
      i++
    } else if (c === '"') {
      const end = sql.indexOf('"', i + 1)
      if (end < 0) throw SuiteqlError.syntax()
      out.push({ t: 'word', v: sql.slice(i + 1, end), quoted: true })
      i = end + 1
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(sql[i + 1] ?? ''))) {
      const m = /^\d*\.?\d+(?:[eE][+-]?\d+)?|^\d+\.?/.exec(sql.slice(i))!
      out.push({ t: 'num', v: Number(m[0]) })
      i += m[0].length
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_$#]*/.exec(sql.slice(i))!
      out.push({ t: 'word', v: m[0], quoted: false })
      i += m[0].length
    } else {
      const op = OPS.find((o) => sql.startsWith(o, i))
      if (!op) throw SuiteqlError.syntax()
      out.push({ t: 'op', v: op })
      i += op.length
    }
  }
  out.push({ t: 'end' })
  return out
}
