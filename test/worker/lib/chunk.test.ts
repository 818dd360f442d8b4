import { describe, expect, it } from 'vitest'
import { chunk } from '../../../worker/lib/chunk.ts'

describe('chunk', () => {
  it('splits into chunks of at most the size, in input order', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]])
    expect(chunk([], 200)).toEqual([])
  })

  it('never puts one key twice in a chunk, and keeps each key in input order across chunks', () => {
    const items = ['a1', 'b1', 'a2', 'c1', 'a3', 'd1']
    const chunks = chunk(items, 3, (s) => s.slice(0, 1))
    expect(chunks).toEqual([['a1', 'b1', 'c1'], ['a2', 'd1'], ['a3']])
  })

  it('refuses a size that is not a positive integer', () => {
    expect(() => chunk([1], 0)).toThrow(RangeError)
  })
})
