/**
 * The emulator's notion of "now". It ticks with real time from an adjustable offset, or stands
 * still when frozen, so tests can move dates (due dates, token expiry, lastmodifieddate) without
 * sleeping. Everything that stamps or compares time in the emulator reads this clock.
 */
export class Clock {
  private offsetMs = 0
  private frozenAt: number | undefined

  now(): number {
    return this.frozenAt ?? Date.now() + this.offsetMs
  }

  /** Jumps to `iso`; keeps ticking unless frozen. */
  set(iso: string): void {
    const target = Date.parse(iso)
    if (Number.isNaN(target)) throw new Error(`not a date: ${iso}`)
    if (this.frozenAt !== undefined) this.frozenAt = target
    else this.offsetMs = target - Date.now()
  }

  advance(ms: number): void {
    if (this.frozenAt !== undefined) this.frozenAt += ms
    else this.offsetMs += ms
  }

  freeze(frozen: boolean): void {
    if (frozen && this.frozenAt === undefined) this.frozenAt = this.now()
    if (!frozen && this.frozenAt !== undefined) {
      this.offsetMs = this.frozenAt - Date.now()
      this.frozenAt = undefined
    }
  }

  /** Today's date (UTC) as `YYYY-MM-DD`. */
  today(): string {
    return new Date(this.now()).toISOString().slice(0, 10)
  }

  reset(): void {
    this.offsetMs = 0
    this.frozenAt = undefined
  }

  state(): { now: string; frozen: boolean } {
    return { now: new Date(this.now()).toISOString(), frozen: this.frozenAt !== undefined }
  }
}
