/**
 * Splits `items` into chunks of at most `size`, in input order. With `keyOf`, no chunk holds
 * one key twice: an item whose key is already placed goes to a chunk after the one holding its
 * previous occurrence, so items of one key keep their input order across chunks (Salesforce
 * refuses a repeated external id in one sObject Collection).
 * @throws RangeError when `size` is not a positive integer.
 */
export function chunk<T>(items: readonly T[], size: number, keyOf?: (item: T) => string): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`chunk size ${size}`)
  const chunks: T[][] = []
  const lastChunkOf = new Map<string, number>()
  let open = 0
  for (const item of items) {
    while ((chunks[open]?.length ?? 0) >= size) open++
    const key = keyOf?.(item)
    let c = key === undefined ? open : Math.max(open, (lastChunkOf.get(key) ?? -1) + 1)
    while ((chunks[c]?.length ?? 0) >= size) c++
    for (let i = chunks.length; i <= c; i++) chunks.push([])
    chunks[c]?.push(item)
    if (key !== undefined) lastChunkOf.set(key, c)
  }
  return chunks
}
