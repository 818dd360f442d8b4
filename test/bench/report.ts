/** Nearest-rank percentile (p in 0..100) of `values`; undefined when there are none. */
export function percentile(values: number[], p: number): number | undefined {
  if (values.length === 0) return undefined
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length))
  return sorted[rank - 1]
}

/** Calls per 1,000 updates, one decimal; undefined without updates. */
export function per1000(calls: number, updates: number): number | undefined {
  return updates > 0 ? Math.round((calls / updates) * 10_000) / 10 : undefined
}

const int = new Intl.NumberFormat('en-US')

export function fmtInt(n: number | undefined): string {
  return n === undefined ? '—' : int.format(n)
}

export function fmtMs(ms: number | undefined): string {
  if (ms === undefined) return '—'
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`
}

export function fmtNum(n: number | undefined): string {
  return n === undefined ? '—' : n.toLocaleString('en-US', { maximumFractionDigits: 1 })
}

/** A plain text table: first column left-aligned, the others right-aligned. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ')
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)]
    .map((l) => `  ${l}`)
    .join('\n')
}
