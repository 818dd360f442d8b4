/**
 * The emulator's notion of "now": wall time plus an offset a test can push forward, so token
 * expiry, the rolling API window and event retention can be exercised without waiting.
 */
export class Clock {
  private offsetMs = 0

  now(): number {
    return Date.now() + this.offsetMs
  }

  advance(ms: number): void {
    this.offsetMs += ms
  }

  get offset(): number {
    return this.offsetMs
  }

  reset(): void {
    this.offsetMs = 0
  }
}

/** `2024-05-01T12:00:00.000+0000`, the form REST API uses for dateTime values. */
export function restDateTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000')
}
