import { SalesforceApiError } from './errors.ts'

/**
 * The SOQL subset the emulator answers: SELECT fields (and one-level parent fields like
 * `Account__r.Name`) or COUNT() FROM one object, WHERE with = != <> < <= > >= LIKE IN / NOT IN,
 * AND / OR / NOT and parentheses, ORDER BY (ASC|DESC, NULLS FIRST|LAST), LIMIT, OFFSET.
 * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select.htm
 */
export type Literal =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
  | { kind: 'date'; value: string }
  | { kind: 'datetime'; value: number }

export type Comparator = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'like'

export type Condition =
  | { op: 'and' | 'or'; items: Condition[] }
  | { op: 'not'; item: Condition }
  | { op: 'cmp'; field: string; cmp: Comparator; value: Literal }
  | { op: 'in'; field: string; values: Literal[]; negate: boolean }

export interface OrderKey {
  field: string
  desc: boolean
  nullsLast: boolean
}

export interface SoqlQuery {
  /** Field paths as written, or 'count' for SELECT COUNT(). */
  fields: string[] | 'count'
  object: string
  where?: Condition
  orderBy: OrderKey[]
  limit?: number
  offset?: number
}

interface Token {
  type: 'word' | 'string' | 'number' | 'date' | 'datetime' | 'punct' | 'end'
  text: string
  pos: number
}

const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})/
const DATE = /^\d{4}-\d{2}-\d{2}(?![\d:T])/

function tokenize(q: string, fail: (pos: number, text: string) => never): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < q.length) {
    const c = q[i] ?? ''
    if (/\s/.test(c)) {
      i += 1
      continue
    }
    const rest = q.slice(i)
    const dt = DATETIME.exec(rest) ?? undefined
    const d = dt ? undefined : (DATE.exec(rest) ?? undefined)
    if (dt || d) {
      const text = (dt ?? d)?.[0] ?? ''
      tokens.push({ type: dt ? 'datetime' : 'date', text, pos: i })
      i += text.length
    } else if (c === "'") {
      let j = i + 1
      let text = ''
      while (j < q.length && q[j] !== "'") {
        if (q[j] === '\\' && j + 1 < q.length) {
          const n = q[j + 1] ?? ''
          text += n === 'n' ? '\n' : n === 't' ? '\t' : ['%', '_'].includes(n) ? `\\${n}` : n
          j += 2
        } else text += q[j++]
      }
      if (j >= q.length) fail(i, rest)
      tokens.push({ type: 'string', text, pos: i })
      i = j + 1
    } else if (/[-\d]/.test(c) && /^-?\d+(\.\d+)?/.test(rest)) {
      const text = /^-?\d+(\.\d+)?/.exec(rest)?.[0] ?? ''
      tokens.push({ type: 'number', text, pos: i })
      i += text.length
    } else if (/[A-Za-z_]/.test(c)) {
      const text = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(rest)?.[0] ?? ''
      tokens.push({ type: 'word', text, pos: i })
      i += text.length
    } else {
      const text = /^(!=|<>|<=|>=|[=<>(),])/.exec(rest)?.[0]
      if (!text) fail(i, c)
      tokens.push({ type: 'punct', text, pos: i })
      i += text.length
    }
  }
  tokens.push({ type: 'end', text: '<EOF>', pos: q.length })
  return tokens
}

/**
 * Parses a SOQL string.
 * @throws SalesforceApiError MALFORMED_QUERY, with Salesforce's row/column pointer.
 */
export function parseSoql(q: string): SoqlQuery {
  const fail = (pos: number, text: string): never => {
    const col = pos + 1
    throw new SalesforceApiError(
      400,
      'MALFORMED_QUERY',
      `\n${q}\n${' '.repeat(pos)}^\nERROR at Row:1:Column:${col}\nunexpected token: ${text.split(/\s/)[0] || '<EOF>'}`,
    )
  }
  const tokens = tokenize(q, fail)
  let at = 0
  const peek = () => tokens[at] as Token
  const isWord = (w: string) => peek().type === 'word' && peek().text.toUpperCase() === w
  const unexpected = (): never => fail(peek().pos, peek().text)
  const expectWord = (w: string) => (isWord(w) ? at++ : unexpected())
  const expectPunct = (p: string) =>
    peek().type === 'punct' && peek().text === p ? at++ : unexpected()
  const identifier = (): string => (peek().type === 'word' ? tokens[at++]!.text : unexpected())

  const literal = (): Literal => {
    const t = peek()
    at += 1
    if (t.type === 'string') return { kind: 'string', value: t.text }
    if (t.type === 'number') return { kind: 'number', value: Number(t.text) }
    if (t.type === 'date') return { kind: 'date', value: t.text }
    if (t.type === 'datetime') return { kind: 'datetime', value: Date.parse(t.text) }
    const upper = t.text.toUpperCase()
    if (t.type === 'word' && upper === 'NULL') return { kind: 'null' }
    if (t.type === 'word' && (upper === 'TRUE' || upper === 'FALSE'))
      return { kind: 'boolean', value: upper === 'TRUE' }
    at -= 1
    return unexpected()
  }

  const atom = (): Condition => {
    if (isWord('NOT')) {
      at += 1
      return { op: 'not', item: atom() }
    }
    if (peek().type === 'punct' && peek().text === '(') {
      at += 1
      const inner = orExpr()
      expectPunct(')')
      return inner
    }
    const field = identifier()
    if (isWord('NOT') || isWord('IN')) {
      const negate = isWord('NOT')
      if (negate) at += 1
      expectWord('IN')
      expectPunct('(')
      const values = [literal()]
      while (peek().text === ',') {
        at += 1
        values.push(literal())
      }
      expectPunct(')')
      return { op: 'in', field, values, negate }
    }
    if (isWord('LIKE')) {
      at += 1
      return { op: 'cmp', field, cmp: 'like', value: literal() }
    }
    const t = peek()
    if (t.type !== 'punct' || !['=', '!=', '<>', '<', '<=', '>', '>='].includes(t.text))
      return unexpected()
    at += 1
    return {
      op: 'cmp',
      field,
      cmp: (t.text === '<>' ? '!=' : t.text) as Comparator,
      value: literal(),
    }
  }

  const andExpr = (): Condition => {
    const items = [atom()]
    while (isWord('AND')) {
      at += 1
      items.push(atom())
    }
    return items.length === 1 ? (items[0] as Condition) : { op: 'and', items }
  }
  const orExpr = (): Condition => {
    const items = [andExpr()]
    while (isWord('OR')) {
      at += 1
      items.push(andExpr())
    }
    return items.length === 1 ? (items[0] as Condition) : { op: 'or', items }
  }
  const count = (): number => {
    const t = peek()
    if (t.type !== 'number' || !/^\d+$/.test(t.text)) return unexpected()
    at += 1
    return Number(t.text)
  }

  expectWord('SELECT')
  let fields: string[] | 'count'
  if (isWord('COUNT')) {
    at += 1
    expectPunct('(')
    expectPunct(')')
    fields = 'count'
  } else {
    fields = [identifier()]
    while (peek().text === ',') {
      at += 1
      fields.push(identifier())
    }
  }
  expectWord('FROM')
  const query: SoqlQuery = { fields, object: identifier(), orderBy: [] }
  if (isWord('WHERE')) {
    at += 1
    query.where = orExpr()
  }
  if (isWord('ORDER')) {
    at += 1
    expectWord('BY')
    do {
      if (peek().text === ',') at += 1
      const key: OrderKey = { field: identifier(), desc: false, nullsLast: false }
      if (isWord('ASC') || isWord('DESC')) key.desc = tokens[at++]!.text.toUpperCase() === 'DESC'
      if (isWord('NULLS')) {
        at += 1
        if (!isWord('FIRST') && !isWord('LAST')) unexpected()
        key.nullsLast = tokens[at++]!.text.toUpperCase() === 'LAST'
      }
      query.orderBy.push(key)
    } while (peek().text === ',')
  }
  if (isWord('LIMIT')) {
    at += 1
    query.limit = count()
  }
  if (isWord('OFFSET')) {
    at += 1
    query.offset = count()
  }
  if (peek().type !== 'end') unexpected()
  return query
}
