import { describe, expect, it } from 'vitest'
import type { Outstanding } from '../scale/judge.ts'
import { SettleWatch } from '../scale/settling.ts'

const invoice = (id: string): Outstanding => ({ kind: 'invoice mirror', id, text: id })
const amendment = (id: string): Outstanding => ({ kind: 'amendment status', id, text: id })

describe('SettleWatch', () => {
  it('counts the work outstanding after the fault by kind and dates each convergence to its round', () => {
    const watch = new SettleWatch(1_000)
    watch.observe([invoice('in_1'), invoice('in_2'), amendment('a1')], 2_000)
    watch.observe([invoice('in_2')], 4_000)
    watch.observe([], 9_000)
    expect(watch.byKind()).toEqual([
      { kind: 'invoice mirror', count: 2, lastMs: 8_000, open: 0 },
      { kind: 'amendment status', count: 1, lastMs: 3_000, open: 0 },
    ])
    expect(watch.last(2).map((l) => [l.item.id, l.afterMs])).toEqual([
      ['in_2', 8_000],
      ['in_1', 3_000],
    ])
  })

  it('names work that never converged, and work that diverged again, as open', () => {
    const watch = new SettleWatch(0)
    watch.observe([invoice('in_1'), amendment('a1')], 1_000)
    watch.observe([amendment('a1')], 2_000)
    watch.observe([invoice('in_1'), amendment('a1')], 3_000)
    expect(watch.byKind().map((k) => [k.kind, k.open])).toEqual([
      ['invoice mirror', 1],
      ['amendment status', 1],
    ])
    expect(watch.last(1)[0]?.afterMs).toBeUndefined()
  })
})
