import type { FC } from 'hono/jsx'

/** One value of a chart: the slot's start (ms) and its figure, or null where nothing happened. */
export interface ChartPoint {
  at: number
  value: number | null
}

/**
 * A server-rendered inline SVG line over evenly spaced slots, with no script and no bundle cost.
 * It is an image with a text alternative (`label`); the figures themselves are in the table next
 * to it, for screen readers and for reading exact values.
 */
export const Sparkline: FC<{
  points: ChartPoint[]
  label: string
  width?: number
  height?: number
}> = ({ points, label, width = 240, height = 48 }) => {
  const values = points.map((p) => p.value).filter((v): v is number => v !== null)
  const max = Math.max(1e-9, ...values)
  const step = points.length > 1 ? width / (points.length - 1) : width
  const y = (v: number) => (height - 2 - (v / max) * (height - 4)).toFixed(1)
  const segments: string[][] = [[]]
  points.forEach((p, i) => {
    if (p.value === null) segments.push([])
    else segments[segments.length - 1]?.push(`${(i * step).toFixed(1)},${y(p.value)}`)
  })
  return (
    <svg
      class="spark"
      role="img"
      aria-label={label}
      viewBox={`0 0 ${width} ${height}`}
      width={width}
      height={height}
    >
      <line x1="0" y1={height - 1} x2={width} y2={height - 1} class="axis" />
      {segments
        .filter((s) => s.length > 0)
        .map((s) =>
          s.length === 1 ? (
            <circle cx={s[0]?.split(',')[0]} cy={s[0]?.split(',')[1]} r="2" />
          ) : (
            <polyline points={s.join(' ')} />
          ),
        )}
    </svg>
  )
}
