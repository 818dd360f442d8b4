/**
 * A parsed JSON value as text, the way `String()` writes a scalar (`'x'`, `'12'`, `'true'`,
 * `'null'`, `'undefined'`). An object or array, which `String()` would turn into
 * `[object Object]`, keeps its JSON form instead.
 */
export function asText(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value
    case 'number':
    case 'boolean':
    case 'bigint':
    case 'undefined':
      return String(value)
    default:
      return value === null ? 'null' : JSON.stringify(value)
  }
}
