import { lockTimeout } from './errors.ts'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Per-object write locks. Stripe answers 429 `lock_timeout` when two requests touch the same
 * object at once; here a write holds its locks for `holdMs` before it executes, so a test can
 * make two writes overlap deterministically (with `holdMs` 0 writes never overlap: each one
 * executes synchronously once it starts).
 */
export class Locks {
  holdMs: number
  private held = new Set<string>()

  constructor(holdMs = 0) {
    this.holdMs = holdMs
  }

  /**
   * Takes every lock in `ids` or none.
   * @throws StripeError 429 `lock_timeout` when one of them is held by another request.
   */
  async acquire(ids: readonly string[]): Promise<() => void> {
    const unique = [...new Set(ids.filter(Boolean))]
    if (unique.some((id) => this.held.has(id))) throw lockTimeout()
    for (const id of unique) this.held.add(id)
    const release = () => {
      for (const id of unique) this.held.delete(id)
    }
    if (this.holdMs > 0) {
      try {
        await sleep(this.holdMs)
      } catch (err) {
        release()
        throw err
      }
    }
    return release
  }

  isHeld(id: string): boolean {
    return this.held.has(id)
  }

  reset(): void {
    this.held.clear()
  }
}
