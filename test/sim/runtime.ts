import { AsyncLocalStorage } from 'node:async_hooks'
import { setImmediate as tick } from 'node:timers/promises'
import type { AlarmClock, ObjectStorage } from '../../worker/lib/storage.ts'
import { Prng } from './prng.ts'
import { pooledStorage, releaseStorage } from './sql.ts'

const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)))

/**
 * The activity the running code belongs to. One for the process: Node keeps every
 * AsyncLocalStorage ever used and pays for each on every promise, so one per schedule would
 * slow each schedule down more than the last.
 */
const CURRENT = new AsyncLocalStorage<Activity>()

/** A piece of work running inside one incarnation of an object: an RPC call or an alarm. */
export interface Activity {
  id: number
  object: SimObject<object>
  incarnation: number
  label: string
  /** Calls this activity awaits that the scheduler has not answered yet. */
  blocked: number
  done: boolean
  dead: boolean
  kill(reason: Error): void
}

/** A call out of an object (to a vendor or another object) waiting for the scheduler. */
export interface PendingCall {
  id: number
  label: string
  kind: 'vendor' | 'rpc'
  activity?: Activity
  /** The far side of the call: the vendor's effect, or the other object's method. */
  effect: () => unknown
  settle(outcome: { ok: true; value: unknown } | { ok: false; error: unknown }): void
}

/**
 * The simulated platform one schedule runs on: a clock, a seeded PRNG, the calls in flight and
 * the work running in each object. Only the scheduler moves anything: a call out of an object
 * waits until the scheduler answers it, so between two scheduler decisions at most one piece of
 * work runs, and the same seed makes the same decisions in the same order.
 */
export class Runtime {
  now: number
  readonly rng: Prng
  readonly trace: string[] = []
  readonly calls: PendingCall[] = []
  private readonly activities: Activity[] = []
  private ids = 0

  constructor(seed: number, start = Date.UTC(2026, 10, 2, 9, 0, 0)) {
    this.rng = new Prng(seed)
    this.now = start
  }

  log(line: string): void {
    this.trace.push(`${this.now} ${line}`)
  }

  /** A call out of the current activity; it waits for the scheduler to deliver it. */
  call<T>(label: string, kind: PendingCall['kind'], effect: () => T | Promise<T>): Promise<T> {
    const activity = CURRENT.getStore()
    return new Promise<T>((resolve, reject) => {
      if (activity) activity.blocked++
      this.calls.push({
        id: ++this.ids,
        label,
        kind,
        activity,
        effect,
        settle: (outcome) => {
          if (activity) activity.blocked--
          if (outcome.ok) resolve(outcome.value as T)
          else reject(asError(outcome.error))
        },
      })
    })
  }

  /** Runs `fn` as a new activity of `object`'s current incarnation. */
  start<T>(object: SimObject<object>, label: string, fn: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const activity: Activity = {
        id: ++this.ids,
        object,
        incarnation: object.incarnation,
        label,
        blocked: 0,
        done: false,
        dead: false,
        kill: reject,
      }
      this.activities.push(activity)
      CURRENT.run(activity, () => {
        fn().then(
          (v) => {
            activity.done = true
            if (!activity.dead) resolve(v)
          },
          (e: unknown) => {
            activity.done = true
            if (!activity.dead) reject(asError(e))
          },
        )
      })
    })
  }

  /**
   * Waits until every live activity is blocked on a call or finished. Work between calls is
   * microtasks, plus the odd platform promise (WebCrypto) that settles on Node's thread pool.
   */
  async quiesce(): Promise<void> {
    for (let spins = 0; ; spins++) {
      await tick()
      for (let i = this.activities.length - 1; i >= 0; i--) {
        const a = this.activities[i] as Activity
        if (a.done || a.dead) this.activities.splice(i, 1)
      }
      if (this.activities.every((a) => a.blocked > 0)) return
      if (spins > 100_000)
        throw new Error(
          `simulation stuck: ${this.activities
            .filter((a) => a.blocked === 0)
            .map((a) => `${a.object.name}/${a.label}`)
            .join(', ')} neither ends nor calls out`,
        )
    }
  }

  /** The activities now alive, for the trace and crash decisions. */
  alive(object: SimObject<object>): Activity[] {
    return this.activities.filter((a) => a.object === object && !a.done && !a.dead)
  }

  /** Drops an object's memory and its running work; its committed storage stays. */
  crash(object: SimObject<object>): PendingCall[] {
    for (const a of this.alive(object)) {
      a.dead = true
      a.kill(new Error('Durable Object reset: the simulation crashed it'))
    }
    object.reset()
    const orphaned = this.calls.filter((c) => c.activity?.dead)
    for (const c of orphaned) this.calls.splice(this.calls.indexOf(c), 1)
    return orphaned
  }

  /** Runs `fn` with `Date` and `Math.random` served by this runtime, then puts them back. */
  async withPlatform<T>(fn: () => Promise<T>): Promise<T> {
    const RealDate = Date
    const realRandom = Math.random
    const now = () => this.now
    class SimDate extends RealDate {
      constructor(...args: unknown[]) {
        if (args.length === 0) super(now())
        else super(...(args as [string]))
      }
      static override now(): number {
        return now()
      }
    }
    const random = new Prng(this.rng.int(2 ** 32))
    const real = { log: console.log, warn: console.warn, error: console.error }
    // The worker's log lines go to the trace (level and message): a failing seed shows them in order.
    const capture = (line: unknown) => {
      const parsed =
        typeof line === 'string' && line.startsWith('{')
          ? (JSON.parse(line) as { level?: string; msg?: string })
          : { msg: String(line) }
      this.log(`log ${parsed.level ?? ''} ${parsed.msg ?? ''}`)
    }
    globalThis.Date = SimDate as DateConstructor
    Math.random = () => random.next()
    Object.assign(console, { log: capture, warn: capture, error: capture })
    try {
      return await fn()
    } finally {
      globalThis.Date = RealDate
      Math.random = realRandom
      Object.assign(console, real)
    }
  }
}

/**
 * One Durable Object: committed SQLite and alarm that survive a crash, and the in-memory
 * instance that does not (made again from storage on the next call, migrations first).
 */
export class SimObject<T extends object> {
  readonly name: string
  readonly storage: ObjectStorage
  incarnation = 0
  /** The alarm as storage holds it (ms), or null. */
  alarmAt: number | null = null
  alarmRunning = false
  private setWhileRunning = false
  private instance?: T
  private readonly make: (storage: ObjectStorage) => T

  /** `schema` names the migrations `make` applies (objects with one schema share a database pool). */
  constructor(name: string, schema: string, make: (storage: ObjectStorage) => T) {
    this.name = name
    this.make = make
    const alarm: AlarmClock = {
      // While its handler runs, the alarm reads as null unless the handler (or a call) set it again:
      // https://developers.cloudflare.com/durable-objects/api/alarms/#getalarm
      get: () => Promise.resolve(this.alarmRunning && !this.setWhileRunning ? null : this.alarmAt),
      set: (at) => {
        this.alarmAt = at
        if (this.alarmRunning) this.setWhileRunning = true
        return Promise.resolve()
      },
    }
    this.storage = { sql: pooledStorage(schema), alarm }
  }

  /** Gives the database back to the pool: the schedule is over and judged. */
  dispose(): void {
    releaseStorage(this.storage.sql)
  }

  get(): T {
    this.instance ??= this.make(this.storage)
    this.made = true
    return this.instance
  }

  /** Whether it ever ran (its migrations are in storage). */
  made = false

  get started(): boolean {
    return this.instance !== undefined
  }

  reset(): void {
    this.instance = undefined
    this.incarnation++
    this.alarmRunning = false
  }

  alarmDue(now: number): boolean {
    return !this.alarmRunning && this.alarmAt !== null && this.alarmAt <= now
  }

  /**
   * Delivers the alarm as Durable Objects do: cleared after a handler that returns unless the
   * handler set it again; after a throw it is retried (in 2 s here); a crash leaves it set.
   */
  fireAlarm(rt: Runtime, handler: (instance: T) => Promise<void>): void {
    const incarnation = this.incarnation
    this.alarmRunning = true
    this.setWhileRunning = false
    const done = (failed: unknown) => {
      if (this.incarnation !== incarnation) return
      this.alarmRunning = false
      if (failed !== undefined) rt.log(`${this.name} alarm threw: ${asError(failed).message}`)
      if (!this.setWhileRunning) this.alarmAt = failed === undefined ? null : rt.now + 2_000
    }
    rt.start(this, 'alarm', () => handler(this.get())).then(
      () => done(undefined),
      (e: unknown) => done(e ?? 'error'),
    )
  }
}
