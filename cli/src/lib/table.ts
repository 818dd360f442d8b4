/** A column: its header, and the widest it may get before its cells wrap. */
export interface Column<R> {
  header: string
  get(row: R): string
  max?: number
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = []
  for (const para of text.split('\n')) {
    let line = ''
    for (const word of para.split(/\s+/).filter(Boolean)) {
      let w = word
      while (w.length > width) {
        if (line) lines.push(line)
        line = ''
        lines.push(w.slice(0, width))
        w = w.slice(width)
      }
      if (!line) line = w
      else if (line.length + 1 + w.length <= width) line += ` ${w}`
      else {
        lines.push(line)
        line = w
      }
    }
    lines.push(line)
  }
  return lines
}

/**
 * Plain-text table (no terminal library: the output is the same in a pipe, a CI log and a test):
 * columns as wide as their content up to `max`, longer cells wrapped onto more lines.
 */
export function renderTable<R>(rows: R[], columns: Column<R>[]): string[] {
  const cells = rows.map((r) => columns.map((c) => c.get(r)))
  const widths = columns.map((c, i) =>
    Math.min(
      c.max ?? 60,
      Math.max(
        c.header.length,
        ...cells.map((row) => Math.max(...(row[i] ?? '').split('\n').map((l) => l.length))),
      ),
    ),
  )
  const line = (parts: string[]) =>
    parts
      .map((p, i) => p.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd()
  const out = [line(columns.map((c) => c.header)), line(widths.map((w) => '─'.repeat(w)))]
  for (const row of cells) {
    const wrapped = row.map((cell, i) => wrap(cell, widths[i] ?? 60))
    const height = Math.max(...wrapped.map((w) => w.length))
    for (let k = 0; k < height; k++) out.push(line(wrapped.map((w) => w[k] ?? '')))
  }
  return out
}
