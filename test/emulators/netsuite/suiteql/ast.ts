/** SuiteQL syntax tree for the subset the emulator runs (see `suiteql/index.ts`). */
export type Expr =
  | { kind: 'literal'; value: string | number | null }
  | { kind: 'column'; table?: string; name: string }
  | { kind: 'call'; name: string; args: Expr[]; star?: boolean; distinct?: boolean }
  | { kind: 'unary'; op: '-' | 'NOT'; arg: Expr }
  | { kind: 'binary'; op: string; left: Expr; right: Expr }
  | { kind: 'in'; arg: Expr; list: Expr[]; not: boolean }
  | { kind: 'isnull'; arg: Expr; not: boolean }
  | { kind: 'like'; arg: Expr; pattern: Expr; not: boolean }
  | { kind: 'between'; arg: Expr; low: Expr; high: Expr; not: boolean }
  | { kind: 'case'; subject?: Expr; whens: Array<{ when: Expr; then: Expr }>; otherwise?: Expr }

export interface SelectItem {
  expr: Expr
  alias?: string
}

export interface TableRef {
  name: string
  alias: string
}

export interface Join {
  type: 'inner' | 'left'
  table: TableRef
  on: Expr
}

export interface OrderItem {
  expr: Expr
  desc: boolean
  nullsFirst?: boolean
}

export interface Query {
  distinct: boolean
  top?: number
  /** `*` (all columns of every table) when the select list is a bare star. */
  star: boolean
  items: SelectItem[]
  from: TableRef
  joins: Join[]
  where?: Expr
  groupBy: Expr[]
  orderBy: OrderItem[]
}

export const AGGREGATES = new Set(['COUNT', 'SUM', 'MIN', 'MAX', 'AVG'])

/** True if the expression contains an aggregate call. */
export function hasAggregate(e: Expr | undefined): boolean {
  if (!e) return false
  switch (e.kind) {
    case 'call':
      return AGGREGATES.has(e.name) || e.args.some(hasAggregate)
    case 'unary':
    case 'isnull':
      return hasAggregate(e.arg)
    case 'binary':
      return hasAggregate(e.left) || hasAggregate(e.right)
    case 'in':
      return hasAggregate(e.arg) || e.list.some(hasAggregate)
    case 'like':
      return hasAggregate(e.arg) || hasAggregate(e.pattern)
    case 'between':
      return hasAggregate(e.arg) || hasAggregate(e.low) || hasAggregate(e.high)
    case 'case':
      return (
        hasAggregate(e.subject) ||
        hasAggregate(e.otherwise) ||
        e.whens.some((w) => hasAggregate(w.when) || hasAggregate(w.then))
      )
    default:
      return false
  }
}

/** A query NetSuite would refuse; `detail` follows NetSuite's "Invalid search query" wording. */
export class SuiteqlError extends Error {
  detail: string

  constructor(detail: string) {
    super(detail)
    this.detail = detail
  }

  static syntax(): SuiteqlError {
    return new SuiteqlError(
      'Invalid search query. Detailed unprocessed description follows. Search error occurred: Invalid or unsupported search.',
    )
  }

  static search(message: string): SuiteqlError {
    return new SuiteqlError(
      `Invalid search query. Detailed unprocessed description follows. Search error occurred: ${message}`,
    )
  }
}
