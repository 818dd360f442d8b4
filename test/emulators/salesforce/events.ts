import { createHash, randomUUID } from 'node:crypto'
import type { Clock } from './clock.ts'

/** One published platform event as the event bus keeps it. */
export interface BusEvent {
  type: string
  channel: string
  replayId: number
  uuid: string
  createdAt: number
  createdById: string
  /** Custom field values, every field of the event present (unset ones as null). */
  fields: Record<string, unknown>
}

type Listener = (event: BusEvent) => void

/**
 * The org's event bus: replay ids grow across all channels (so consecutive events of one channel
 * are not contiguous, as Salesforce warns), and events older than the retention window (72 h by
 * default) are purged. https://developer.salesforce.com/docs/platform/pub-sub-api/guide/event-message-durability.html
 */
export class EventBus {
  private events: BusEvent[] = []
  private lastReplayId = 0
  private listeners = new Set<Listener>()
  private clock: Clock
  retentionMs: number
  published = 0

  constructor(clock: Clock, retentionMs: number) {
    this.clock = clock
    this.retentionMs = retentionMs
  }

  onPublish(listener: Listener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  publish(
    type: string,
    fields: Record<string, unknown>,
    createdById: string,
    uuid: string = randomUUID(),
  ): BusEvent {
    this.lastReplayId += 1 + (this.published % 3)
    const event: BusEvent = {
      type,
      channel: `/event/${type}`,
      replayId: this.lastReplayId,
      uuid,
      createdAt: this.clock.now(),
      createdById,
      fields,
    }
    this.events.push(event)
    this.published += 1
    for (const listener of this.listeners) listener(event)
    return event
  }

  /** Drops events older than the retention window, or older than `olderThanMs` when given. */
  purge(olderThanMs = this.retentionMs): number {
    const cutoff = this.clock.now() - olderThanMs
    const before = this.events.length
    this.events = this.events.filter((e) => e.createdAt >= cutoff)
    return before - this.events.length
  }

  /** Retained events of a channel in replay order (purging first). */
  retained(channel?: string): BusEvent[] {
    this.purge()
    return channel ? this.events.filter((e) => e.channel === channel) : [...this.events]
  }

  /** The newest replay id handed out on any channel (a -1 subscription starts after it). */
  get latestReplayId(): number {
    return this.lastReplayId
  }

  reset(): void {
    this.events = []
    this.lastReplayId = 0
    this.published = 0
  }
}

/** A stable schema id per event type, standing in for the Avro schema fingerprint. */
export function schemaId(type: string): string {
  return createHash('sha256').update(type).digest('base64url').slice(0, 22)
}
