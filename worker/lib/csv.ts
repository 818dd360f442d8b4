/**
 * CSV as RFC 4180 writes it: fields separated by commas, records by CRLF, a field with a comma,
 * quote, CR or LF quoted and its quotes doubled. A text field a spreadsheet would run as a
 * formula (starting with `=`, `+`, `-`, `@`, a tab or a CR) gets a leading `'`, the guard OWASP
 * describes (https://owasp.org/www-community/attacks/CSV_Injection); numbers are written as is.
 */
export function toCsv(header: readonly string[], rows: ReadonlyArray<readonly unknown[]>): string {
  return [header, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n'
}

const FORMULA_START = /^[=+\-@\t\r]/
const NEEDS_QUOTES = /[",\r\n]/

/** One field, guarded and quoted as needed; null and undefined are empty. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  let text = typeof value === 'string' ? value : JSON.stringify(value)
  if (FORMULA_START.test(text)) text = `'${text}`
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}
