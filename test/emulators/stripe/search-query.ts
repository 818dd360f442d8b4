import { invalidRequest } from './errors.ts'

/*
 * Stripe's search query language, for exact matches on string fields, as documented
 * (https://docs.stripe.com/search#search-query-language): a clause is `field:'value'` (or
 * `"value"`, a quote inside escaped with `\`), `-` before it negates it; clauses are joined by
 * whitespace or `AND` (the default) or by `OR`, keywords in any case, never `AND` and `OR` in one
 * query (there are no parentheses); a query holds at most 10 clauses.
 */

/** Clauses one query may hold. */
const MAX_CLAUSES = 10

type Clause<T> = (o: T) => boolean

/** How a field's value is read from an object; `metadata` takes the key in brackets. */
export interface SearchFields<T> {
  plain: Record<string, (o: T) => string | null | undefined>
  metadata?: (o: T) => Record<string, string>
}

const refuse = (message: string) => invalidRequest(message, 'query')

class Scanner {
  i = 0
  readonly text: string
  constructor(text: string) {
    this.text = text
  }
  skipSpace(): boolean {
    const from = this.i
    while (this.i < this.text.length && /\s/.test(this.text[this.i] ?? '')) this.i++
    return this.i > from
  }
  done(): boolean {
    return this.i >= this.text.length
  }
  take(re: RegExp): string | undefined {
    const m = re.exec(this.text.slice(this.i))
    if (!m || m.index !== 0) return undefined
    this.i += m[0].length
    return m[0]
  }
  /** A quoted string, its escapes undone. */
  quoted(): string {
    const quote = this.text[this.i]
    if (quote !== "'" && quote !== '"')
      throw refuse(`Invalid search query: a value must be quoted at position ${this.i}.`)
    let out = ''
    for (this.i++; this.i < this.text.length; this.i++) {
      const ch = this.text[this.i] as string
      if (ch === '\\') out += this.text[++this.i] ?? ''
      else if (ch === quote) {
        this.i++
        return out
      } else out += ch
    }
    throw refuse('Invalid search query: unterminated quoted value.')
  }
}

function clause<T>(s: Scanner, fields: SearchFields<T>): Clause<T> {
  const negated = s.take(/-/) !== undefined
  const field = s.take(/[a-z_]+/)
  if (!field) throw refuse(`Invalid search query at position ${s.i}: a field name is expected.`)
  let read: ((o: T) => string | null | undefined) | undefined = fields.plain[field]
  if (field === 'metadata' && fields.metadata) {
    if (!s.take(/\[/)) throw refuse('Invalid search query: metadata needs a key in brackets.')
    const key = s.quoted()
    if (!s.take(/\]/)) throw refuse('Invalid search query: unclosed metadata key.')
    const metadata = fields.metadata
    read = (o) => metadata(o)[key]
  }
  if (!read) throw refuse(`Field \`${field}\` is an unsupported search field.`)
  if (!s.take(/:/)) throw refuse(`Invalid search query: \`:\` expected after \`${field}\`.`)
  const value = s.quoted()
  const get = read
  return (o) => (get(o) === value) !== negated
}

/**
 * The predicate of `query`.
 * @throws StripeError 400 (`param: query`) for a query the language does not parse, one that
 * mixes `AND` and `OR`, or one of more than 10 clauses.
 */
export function searchMatcher<T>(query: string, fields: SearchFields<T>): (o: T) => boolean {
  const s = new Scanner(query.trim())
  const clauses: Clause<T>[] = []
  const joins = new Set<'AND' | 'OR'>()
  while (!s.done()) {
    if (clauses.length > 0) {
      if (!s.skipSpace()) throw refuse(`Invalid search query at position ${s.i}.`)
      const keyword = s.take(/(?:and|or)(?=\s)/i)?.toUpperCase() as 'AND' | 'OR' | undefined
      joins.add(keyword ?? 'AND')
      if (keyword) s.skipSpace()
    }
    clauses.push(clause(s, fields))
  }
  if (clauses.length === 0) throw refuse('Invalid search query: it holds no clause.')
  if (joins.size > 1) throw refuse('Search queries cannot mix AND and OR.')
  if (clauses.length > MAX_CLAUSES)
    throw refuse(
      `Search queries can hold at most ${MAX_CLAUSES} clauses; this one has ${clauses.length}.`,
    )
  return joins.has('OR') ? (o) => clauses.some((f) => f(o)) : (o) => clauses.every((f) => f(o))
}
