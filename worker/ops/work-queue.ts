import { RECOVERABILITIES, type Recoverability } from '../failure/recoverability.ts'
import type { WorkItem, WorkKind, WorkQueueFilter, WorkQueuePage } from './work-item.ts'

export type { WorkItem, WorkKind, WorkQueueFilter, WorkQueuePage, WorkSystem } from './work-item.ts'
export { WORK_KINDS, WORK_SYSTEMS } from './work-item.ts'

/**
 * The exception work queue's tables, migration 7 of the OpsRegistry (`OPS_MIGRATIONS`): one row
 * per item that needs attention or is retrying, and the ids it can be searched by.
 */
export const WORK_QUEUE_MIGRATION = `
  CREATE TABLE work_item (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    category TEXT NOT NULL,
    system TEXT NOT NULL,
    code TEXT NOT NULL,
    account_id TEXT,
    since TEXT NOT NULL,
    item TEXT NOT NULL
  );
  CREATE INDEX work_item_by_since ON work_item (since, id);
  CREATE INDEX work_item_by_account ON work_item (account_id, since);
  CREATE INDEX work_item_by_kind ON work_item (kind);
  CREATE TABLE work_item_key (
    key TEXT NOT NULL,
    item_id TEXT NOT NULL,
    PRIMARY KEY (key, item_id)
  );
  CREATE INDEX work_item_key_by_item ON work_item_key (item_id);
`

/** Every id an item can be found by. */
function keysOf(item: WorkItem): string[] {
  const { ids } = item
  const all = [item.ref, item.correlationId, item.amendmentId, item.accountId]
    .concat(ids.salesforce, ids.stripe, ids.netsuite)
    .filter((k): k is string => typeof k === 'string' && k.length > 0)
  return [...new Set(all)]
}

const CURSOR = /^([^|]+)\|(.+)$/

/** The page's WHERE clause and its parameters; the category filter is left to the caller. */
function where(f: WorkQueueFilter, now: number): { sql: string; params: unknown[] } {
  const parts: string[] = []
  const params: unknown[] = []
  const add = (clause: string, value: unknown) => {
    parts.push(clause)
    params.push(value)
  }
  if (f.system) add('system = ?', f.system)
  if (f.accountId) add('account_id = ?', f.accountId)
  if (f.code) add('code = ?', f.code)
  if (f.olderThanMs !== undefined) add('since <= ?', new Date(now - f.olderThanMs).toISOString())
  if (f.q) add('id IN (SELECT item_id FROM work_item_key WHERE key = ?)', f.q)
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params }
}

/**
 * The exception work queue (issue 10, item 4): every parked or retrying amendment, dead letter,
 * quarantined input, unmatched webhook and subscriber gap, in one table of the OpsRegistry. Each
 * source reports into it (ledgers through their index outbox, the singletons after each change),
 * so a page costs one indexed query whatever the number of accounts. Oldest first.
 */
export class WorkQueue {
  private readonly sql: SqlStorage

  constructor(sql: SqlStorage) {
    this.sql = sql
  }

  /** Adds or replaces items. */
  put(items: WorkItem[]): void {
    for (const item of items) {
      this.remove(item.id)
      this.sql.exec(
        'INSERT INTO work_item (id, kind, category, system, code, account_id, since, item) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        item.id,
        item.kind,
        item.category,
        item.system,
        item.code,
        item.accountId ?? null,
        item.since,
        JSON.stringify(item),
      )
      for (const key of keysOf(item))
        this.sql.exec(
          'INSERT OR IGNORE INTO work_item_key (key, item_id) VALUES (?, ?)',
          key,
          item.id,
        )
    }
  }

  /** Takes an item out (resolved); nothing happens when it is not there. */
  remove(id: string): void {
    this.sql.exec('DELETE FROM work_item_key WHERE item_id = ?', id)
    this.sql.exec('DELETE FROM work_item WHERE id = ?', id)
  }

  /** Makes `items` the whole of `kind`: a source that reports its full current set. */
  replaceKind(kind: WorkKind, items: WorkItem[]): void {
    const keep = new Set(items.map((i) => i.id))
    const held = this.sql
      .exec<{ id: string }>('SELECT id FROM work_item WHERE kind = ?', kind)
      .toArray()
    for (const { id } of held) if (!keep.has(id)) this.remove(id)
    this.put(items)
  }

  /** The ids of the items of `kind` whose keys include `key`. */
  idsByKey(kind: WorkKind, key: string): string[] {
    return this.sql
      .exec<{ id: string }>(
        'SELECT w.id FROM work_item w JOIN work_item_key k ON k.item_id = w.id WHERE w.kind = ? AND k.key = ?',
        kind,
        key,
      )
      .toArray()
      .map((r) => r.id)
  }

  /** One page, oldest first, and the counts per category under the same filters. */
  list(f: WorkQueueFilter, now = Date.now()): WorkQueuePage {
    const base = where(f, now)
    const counts = Object.fromEntries(
      RECOVERABILITIES.map((c) => [c, 0]),
    ) as WorkQueuePage['counts']
    for (const r of this.sql.exec<{ category: Recoverability; n: number }>(
      `SELECT category, COUNT(*) AS n FROM work_item ${base.sql} GROUP BY category`,
      ...base.params,
    ))
      counts[r.category] = r.n
    const parts = base.sql ? [base.sql] : ['WHERE 1 = 1']
    const params = [...base.params]
    if (f.category) {
      parts.push('AND category = ?')
      params.push(f.category)
    }
    const after = f.cursor ? CURSOR.exec(f.cursor) : null
    if (after) {
      parts.push('AND (since, id) > (?, ?)')
      params.push(after[1], after[2])
    }
    const items = this.sql
      .exec<{ item: string }>(
        `SELECT item FROM work_item ${parts.join(' ')} ORDER BY since, id LIMIT ?`,
        ...params,
        f.limit + 1,
      )
      .toArray()
      .map((r) => JSON.parse(r.item) as WorkItem)
    const more = items.length > f.limit
    const page = items.slice(0, f.limit)
    const last = page.at(-1)
    return { items: page, counts, next: more && last ? `${last.since}|${last.id}` : undefined }
  }
}
