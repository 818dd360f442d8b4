import {
  SuiteqlError,
  type Expr,
  type Join,
  type OrderItem,
  type Query,
  type SelectItem,
  type TableRef,
} from './ast.ts'
import { lex, type Token } from './lex.ts'

const RESERVED = new Set(
  'SELECT FROM WHERE AND OR NOT IN IS NULL LIKE BETWEEN AS ON JOIN INNER LEFT RIGHT OUTER FULL GROUP ORDER BY ASC DESC NULLS FIRST LAST CASE WHEN THEN ELSE END DISTINCT TOP HAVING UNION ESCAPE'.split(
    ' ',
  ),
)

/** Recursive-descent parser over the token list. */
class Parser {
  private pos = 0
  private toks: Token[]

  constructor(sql: string) {
    this.toks = lex(sql)
  }

  private peek(offset = 0): Token {
    return this.toks[Math.min(this.pos + offset, this.toks.length - 1)]!
  }

  private isKw(kw: string, offset = 0): boolean {
    const t = this.peek(offset)
    return t.t === 'word' && !t.quoted && t.v.toUpperCase() === kw
  }

  private eatKw(...kws: string[]): boolean {
    if (!kws.every((kw, i) => this.isKw(kw, i))) return false
    this.pos += kws.length
    return true
  }

  private isOp(op: string): boolean {
    const t = this.peek()
    return t.t === 'op' && t.v === op
  }

  private eatOp(op: string): boolean {
    if (!this.isOp(op)) return false
    this.pos++
    return true
  }

  private expectOp(op: string): void {
    if (!this.eatOp(op)) throw SuiteqlError.syntax()
  }

  private expectKw(kw: string): void {
    if (!this.eatKw(kw)) throw SuiteqlError.syntax()
  }

  private ident(): string {
    const t = this.peek()
    if (t.t !== 'word' || (!t.quoted && RESERVED.has(t.v.toUpperCase())))
      throw SuiteqlError.syntax()
    this.pos++
    return t.v
  }

  private optionalAlias(): string | undefined {
    if (this.eatKw('AS')) return this.ident()
    const t = this.peek()
    return t.t === 'word' && (t.quoted || !RESERVED.has(t.v.toUpperCase()))
      ? this.ident()
      : undefined
  }

  query(): Query {
    this.expectKw('SELECT')
    const distinct = this.eatKw('DISTINCT')
    let top: number | undefined
    if (this.eatKw('TOP')) {
      const t = this.peek()
      if (t.t !== 'num') throw SuiteqlError.syntax()
      top = t.v
      this.pos++
    }
    const star = this.eatOp('*')
    const items: SelectItem[] = []
    if (!star) {
      do items.push({ expr: this.expr(), alias: this.optionalAlias() })
      while (this.eatOp(','))
    }
    this.expectKw('FROM')
    const from = this.tableRef()
    const joins: Join[] = []
    for (;;) {
      const type =
        this.eatKw('LEFT', 'OUTER', 'JOIN') || this.eatKw('LEFT', 'JOIN')
          ? 'left'
          : this.eatKw('INNER', 'JOIN') || this.eatKw('JOIN')
            ? 'inner'
            : undefined
      if (!type) break
      const table = this.tableRef()
      this.expectKw('ON')
      joins.push({ type, table, on: this.expr() })
    }
    const where = this.eatKw('WHERE') ? this.expr() : undefined
    const groupBy: Expr[] = []
    if (this.eatKw('GROUP', 'BY'))
      do groupBy.push(this.expr())
      while (this.eatOp(','))
    const orderBy: OrderItem[] = []
    if (this.eatKw('ORDER', 'BY')) {
      do {
        const expr = this.expr()
        const desc = this.eatKw('DESC') ? true : (this.eatKw('ASC'), false)
        const nullsFirst = this.eatKw('NULLS', 'FIRST')
          ? true
          : this.eatKw('NULLS', 'LAST')
            ? false
            : undefined
        orderBy.push({ expr, desc, nullsFirst })
      } while (this.eatOp(','))
    }
    if (this.peek().t !== 'end') throw SuiteqlError.syntax()
    return { distinct, top, star, items, from, joins, where, groupBy, orderBy }
  }

  private tableRef(): TableRef {
    const name = this.ident()
    return { name, alias: this.optionalAlias() ?? name }
  }

  expr(): Expr {
    let left = this.and()
    while (this.eatKw('OR')) left = { kind: 'binary', op: 'OR', left, right: this.and() }
    return left
  }

  private and(): Expr {
    let left = this.not()
    while (this.eatKw('AND')) left = { kind: 'binary', op: 'AND', left, right: this.not() }
    return left
  }

  private not(): Expr {
    return this.eatKw('NOT') ? { kind: 'unary', op: 'NOT', arg: this.not() } : this.predicate()
  }

  private predicate(): Expr {
    const arg = this.additive()
    const t = this.peek()
    if (t.t === 'op' && ['=', '<>', '!=', '<', '>', '<=', '>='].includes(t.v)) {
      this.pos++
      return { kind: 'binary', op: t.v === '!=' ? '<>' : t.v, left: arg, right: this.additive() }
    }
    if (this.eatKw('IS')) {
      const not = this.eatKw('NOT')
      this.expectKw('NULL')
      return { kind: 'isnull', arg, not }
    }
    const not = this.eatKw('NOT')
    if (this.eatKw('IN')) {
      this.expectOp('(')
      const list: Expr[] = []
      do list.push(this.additive())
      while (this.eatOp(','))
      this.expectOp(')')
      return { kind: 'in', arg, list, not }
    }
    if (this.eatKw('LIKE')) return { kind: 'like', arg, pattern: this.additive(), not }
    if (this.eatKw('BETWEEN')) {
      const low = this.additive()
      this.expectKw('AND')
      return { kind: 'between', arg, low, high: this.additive(), not }
    }
    if (not) throw SuiteqlError.syntax()
    return arg
  }

  private additive(): Expr {
    let left = this.term()
    for (;;) {
      const op = this.eatOp('+') ? '+' : this.eatOp('-') ? '-' : this.eatOp('||') ? '||' : undefined
      if (!op) return left
      left = { kind: 'binary', op, left, right: this.term() }
    }
  }

  private term(): Expr {
    let left = this.unary()
    for (;;) {
      const op = this.eatOp('*') ? '*' : this.eatOp('/') ? '/' : undefined
      if (!op) return left
      left = { kind: 'binary', op, left, right: this.unary() }
    }
  }

  private unary(): Expr {
    return this.eatOp('-') ? { kind: 'unary', op: '-', arg: this.unary() } : this.primary()
  }

  private primary(): Expr {
    const t = this.peek()
    if (t.t === 'num' || t.t === 'str') {
      this.pos++
      return { kind: 'literal', value: t.v }
    }
    if (this.eatOp('(')) {
      const e = this.expr()
      this.expectOp(')')
      return e
    }
    if (this.eatKw('NULL')) return { kind: 'literal', value: null }
    if (this.eatKw('CASE')) return this.caseExpr()
    const first = this.ident()
    let second: string | undefined
    if (this.eatOp('.')) second = this.ident()
    if (this.eatOp('(')) {
      const name = (second ? `${first}.${second}` : first).toUpperCase()
      if (this.eatOp('*')) {
        this.expectOp(')')
        return { kind: 'call', name, args: [], star: true }
      }
      const distinct = this.eatKw('DISTINCT')
      const args: Expr[] = []
      if (!this.isOp(')'))
        do args.push(this.expr())
        while (this.eatOp(','))
      this.expectOp(')')
      return { kind: 'call', name, args, distinct }
    }
    if (!second && ['SYSDATE', 'CURRENT_DATE', 'CURRENT_TIMESTAMP'].includes(first.toUpperCase())) {
      return { kind: 'call', name: first.toUpperCase(), args: [] }
    }
    return second ? { kind: 'column', table: first, name: second } : { kind: 'column', name: first }
  }

  private caseExpr(): Expr {
    const subject = this.isKw('WHEN') ? undefined : this.expr()
    const whens: Array<{ when: Expr; then: Expr }> = []
    while (this.eatKw('WHEN')) {
      const when = this.expr()
      this.expectKw('THEN')
      whens.push({ when, then: this.expr() })
    }
    if (whens.length === 0) throw SuiteqlError.syntax()
    const otherwise = this.eatKw('ELSE') ? this.expr() : undefined
    this.expectKw('END')
    return { kind: 'case', subject, whens, otherwise }
  }
}

/**
 * Parses one SELECT statement.
 * @throws SuiteqlError for anything outside the supported grammar.
 */
export function parseQuery(sql: string): Query {
  return new Parser(sql).query()
}
