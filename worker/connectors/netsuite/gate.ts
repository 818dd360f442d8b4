import type { AlarmClock, ObjectStorage } from '../../lib/storage.ts'

/**
 * The gate's schema, numbered and append-only like every Durable Object's here. Permits live in
 * SQLite, not memory: after a restart the object still knows which slots are taken, and a
 * holder that crashed only holds its slot until its lease runs out.
 */
export const GATE_MIGRATIONS: readonly string[] = [
  /* 1 */ `
  CREATE TABLE permit (
    id TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    granted_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE INDEX permit_by_expiry ON permit (expires_at);
  `,
]

export interface AcquireRequest {
  /** Permits the account allows Concord (`NETSUITE_CONCURRENCY`). */
  size: number
  /** How long the permit is good for if never released. */
  leaseMs: number
  /** How long to queue here before answering `busy` (the caller then asks again). */
  waitMs: number
  /** Who asks, for the permit row (diagnostics only). */
  holder: string
}

export type AcquireResult =
  | { status: 'granted'; permitId: string; expiresAt: number }
  | { status: 'busy'; inUse: number; waiting: number }

export interface GateState {
  inUse: number
  waiting: number
  permits: Array<{ id: string; holder: string; expiresAt: number }>
}

interface Waiter {
  req: AcquireRequest
  resolve(result: AcquireResult): void
  timer: ReturnType<typeof setTimeout>
}

const clamp = (n: number, min: number, max: number) =>
  Math.min(max, Math.max(min, Math.floor(Number.isFinite(n) ? n : min)))

/**
 * A counting semaphore for one NetSuite account's concurrency governance: every request to the
 * account holds a permit while in flight, so Concord never has more than `size` requests there,
 * whichever isolate or Durable Object sends them. Waiters queue first-come first-served in
 * memory (they are live RPC calls; if the object restarts, their calls fail and the callers ask
 * again). It lives in the `NetsuiteGate` Durable Object, one per account (`netsuite:<account id>`).
 */
export class Semaphore {
  private readonly sql: SqlStorage
  private readonly clock: AlarmClock
  private readonly waiters: Waiter[] = []

  constructor(storage: ObjectStorage) {
    this.sql = storage.sql
    this.clock = storage.alarm
  }

  /** A permit now, or after waiting up to `waitMs` in line, or `busy`. */
  async acquire(input: AcquireRequest): Promise<AcquireResult> {
    const req: AcquireRequest = {
      size: clamp(input.size, 1, 1000),
      leaseMs: clamp(input.leaseMs, 1000, 30 * 60_000),
      waitMs: clamp(input.waitMs, 0, 60_000),
      holder: String(input.holder).slice(0, 100),
    }
    this.reclaim()
    this.admit()
    // Fair: a newcomer never overtakes someone already waiting.
    if (this.waiters.length === 0 && this.inUse() < req.size) return this.grant(req)
    if (req.waitMs === 0) return this.busy()
    const result = new Promise<AcquireResult>((resolve) => {
      const waiter: Waiter = {
        req,
        resolve,
        timer: setTimeout(() => {
          const at = this.waiters.indexOf(waiter)
          if (at >= 0) this.waiters.splice(at, 1)
          resolve(this.busy())
        }, req.waitMs),
      }
      this.waiters.push(waiter)
    })
    await this.armAlarm()
    return result
  }

  /** Gives a permit back; a permit already reclaimed by its lease is a no-op. */
  release(permitId: string): { released: boolean } {
    const released = this.sql.exec('DELETE FROM permit WHERE id = ?', permitId).rowsWritten > 0
    this.reclaim()
    this.admit()
    return { released }
  }

  /** Wakes waiters when a crashed holder's lease runs out. */
  async alarm(): Promise<void> {
    this.reclaim()
    this.admit()
    await this.armAlarm()
  }

  inspect(): GateState {
    this.reclaim()
    const permits = this.sql
      .exec<{ id: string; holder: string; expires_at: number }>(
        'SELECT id, holder, expires_at FROM permit ORDER BY granted_at',
      )
      .toArray()
      .map((p) => ({ id: p.id, holder: p.holder, expiresAt: p.expires_at }))
    return { inUse: permits.length, waiting: this.waiters.length, permits }
  }

  private inUse(): number {
    return this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM permit').one().n
  }

  private reclaim(): void {
    this.sql.exec('DELETE FROM permit WHERE expires_at <= ?', Date.now())
  }

  private grant(req: AcquireRequest): AcquireResult {
    const permitId = crypto.randomUUID()
    const now = Date.now()
    const expiresAt = now + req.leaseMs
    this.sql.exec(
      'INSERT INTO permit (id, holder, granted_at, expires_at) VALUES (?, ?, ?, ?)',
      permitId,
      req.holder,
      now,
      expiresAt,
    )
    return { status: 'granted', permitId, expiresAt }
  }

  private busy(): AcquireResult {
    return { status: 'busy', inUse: this.inUse(), waiting: this.waiters.length }
  }

  /** Hands free permits to the head of the line, in order. */
  private admit(): void {
    for (let head = this.waiters[0]; head && this.inUse() < head.req.size; head = this.waiters[0]) {
      this.waiters.shift()
      clearTimeout(head.timer)
      head.resolve(this.grant(head.req))
    }
  }

  /** While anyone waits, an alarm at the earliest lease end, so a leaked permit can't stall the line. */
  private async armAlarm(): Promise<void> {
    if (this.waiters.length === 0) return
    const next = this.sql
      .exec<{ at: number | null }>('SELECT MIN(expires_at) AS at FROM permit')
      .one().at
    if (next === null) return
    const current = await this.clock.get()
    if (current === null || current > next) await this.clock.set(next)
  }
}
