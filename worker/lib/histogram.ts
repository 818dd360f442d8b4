/**
 * A fixed log-scale histogram: four buckets per doubling, so any value is known to within ±9%
 * (the half-width of a bucket, 2^(1/8)), whatever its size, from a millisecond to weeks. Bucket
 * `i` holds values in (2^((i-1)/4), 2^(i/4)]; bucket 0 holds everything up to 1. Histograms of
 * different minutes merge by adding counts, which is what makes p50/p95 over a week possible
 * without keeping the samples.
 */
export type Histogram = Record<number, number>

const PER_DOUBLING = 4

export function bucketOf(value: number): number {
  return value <= 1 ? 0 : Math.ceil(Math.log2(value) * PER_DOUBLING)
}

/** The value a bucket stands for: the geometric middle of its bounds. */
export function bucketValue(bucket: number): number {
  return bucket === 0 ? 1 : 2 ** ((bucket - 0.5) / PER_DOUBLING)
}

export function add(h: Histogram, value: number, n = 1): Histogram {
  const b = bucketOf(value)
  h[b] = (h[b] ?? 0) + n
  return h
}

export function merge(into: Histogram, from: Histogram): Histogram {
  for (const [b, n] of Object.entries(from)) into[Number(b)] = (into[Number(b)] ?? 0) + n
  return into
}

/**
 * The q-quantile (0 < q ≤ 1) by nearest rank: the bucket holding the ceil(q·count)-th value,
 * clamped to the exact min and max (so one sample, or all equal, answers exactly).
 */
export function quantile(
  h: Histogram,
  q: number,
  bounds: { min: number; max: number },
): number | undefined {
  const buckets = Object.entries(h)
    .map(([b, n]) => [Number(b), n] as const)
    .sort((a, b) => a[0] - b[0])
  const count = buckets.reduce((s, [, n]) => s + n, 0)
  if (count === 0) return undefined
  const rank = Math.max(1, Math.ceil(q * count))
  let seen = 0
  for (const [b, n] of buckets) {
    seen += n
    if (seen >= rank) return Math.min(bounds.max, Math.max(bounds.min, bucketValue(b)))
  }
  return bounds.max
}
