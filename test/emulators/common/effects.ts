/**
 * The side-effect ledger of an emulator: every state change that a real vendor would make
 * (a subscription created, a record upserted) is recorded once here, so a test can assert
 * exactly-once by counting, independent of how many HTTP requests arrived.
 */
export interface Effect {
  seq: number
  at: string
  /** What happened, e.g. `subscription.update`. */
  kind: string
  /** The object it happened to, e.g. `sub_123`. */
  target: string
  /** Correlation id carried in metadata / memo, when the request had one. */
  correlationId?: string
  detail?: Record<string, unknown>
}

export class Effects {
  private list: Effect[] = []

  record(
    kind: string,
    target: string,
    correlationId?: string,
    detail?: Record<string, unknown>,
  ): Effect {
    const effect: Effect = {
      seq: this.list.length + 1,
      at: new Date().toISOString(),
      kind,
      target,
      correlationId,
      detail,
    }
    this.list.push(effect)
    return effect
  }

  all(): Effect[] {
    return this.list
  }

  /** Counts by kind, e.g. `{ 'subscription.update': 3 }`. */
  counts(): Record<string, number> {
    const counts: Record<string, number> = {}
    for (const e of this.list) counts[e.kind] = (counts[e.kind] ?? 0) + 1
    return counts
  }

  reset(): void {
    this.list = []
  }
}
