import type { DriftReport } from './types.ts'

export const DRIFT_MIGRATIONS: readonly string[] = [
  /* 1 */ `
  CREATE TABLE cursor (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    events_done_to INTEGER NOT NULL,
    events_window_to INTEGER,
    events_after TEXT,
    edits_since INTEGER NOT NULL,
    user_id TEXT,
    pass_after TEXT,
    pass_running INTEGER NOT NULL DEFAULT 0,
    pass_done_at INTEGER NOT NULL DEFAULT 0,
    last_sweep_at INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE run (id TEXT PRIMARY KEY, started_at INTEGER NOT NULL, report TEXT NOT NULL);
  CREATE TABLE finding (key TEXT PRIMARY KEY, account_id TEXT, state TEXT NOT NULL, entry TEXT NOT NULL, updated_at INTEGER NOT NULL);
  `,
  /* 2: a cursor per invoice and payment hand-edit query */ `
  CREATE TABLE mark (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
  `,
]

/** Where each sweep resumes: the events window, the hand-edit stamp, the full pass's page. */
export type Cursor = {
  events_done_to: number
  events_window_to: number | null
  events_after: string | null
  edits_since: number
  user_id: string | null
  pass_after: string | null
  pass_running: number
  pass_done_at: number
  last_sweep_at: number
}

const RUNS_KEPT = 50

/** The reconciler's SQLite: cursors, the last runs' reports, open exceptions it raised. */
export class DriftStore {
  private readonly sql: SqlStorage

  constructor(sql: SqlStorage) {
    this.sql = sql
  }

  /** The cursor; a first sweep starts from `startMs` (seconds for events, ms for edits). */
  cursor(startMs: number): Cursor {
    this.sql.exec(
      'INSERT OR IGNORE INTO cursor (id, events_done_to, edits_since) VALUES (1, ?, ?)',
      Math.floor(startMs / 1000),
      startMs,
    )
    return this.sql.exec<Cursor>('SELECT * FROM cursor WHERE id = 1').one()
  }

  saveCursor(c: Partial<Cursor>): void {
    for (const [k, v] of Object.entries(c))
      this.sql.exec(`UPDATE cursor SET ${k} = ? WHERE id = 1`, v)
  }

  /** A named cursor (ms), `fallback` until first saved. */
  mark(key: string, fallback: number): number {
    return (
      this.sql.exec<{ value: number }>('SELECT value FROM mark WHERE key = ?', key).toArray()[0]
        ?.value ?? fallback
    )
  }

  saveMark(key: string, value: number): void {
    this.sql.exec('INSERT OR REPLACE INTO mark (key, value) VALUES (?, ?)', key, value)
  }

  saveRun(report: DriftReport): void {
    this.sql.exec(
      'INSERT OR REPLACE INTO run (id, started_at, report) VALUES (?, ?, ?)',
      report.runId,
      Date.parse(report.startedAt),
      JSON.stringify(report),
    )
    this.sql.exec(
      'DELETE FROM run WHERE id NOT IN (SELECT id FROM run ORDER BY started_at DESC LIMIT ?)',
      RUNS_KEPT,
    )
  }

  lastRuns(limit: number): DriftReport[] {
    return this.sql
      .exec<{ report: string }>('SELECT report FROM run ORDER BY started_at DESC LIMIT ?', limit)
      .toArray()
      .map((r) => JSON.parse(r.report) as DriftReport)
  }

  /** True when the finding was not open yet (so it is raised once, not on every sweep). */
  openFinding(key: string, accountId: string | undefined, entry: unknown): boolean {
    const known = this.sql
      .exec<{ state: string }>('SELECT state FROM finding WHERE key = ?', key)
      .toArray()[0]
    this.sql.exec(
      `INSERT INTO finding (key, account_id, state, entry, updated_at) VALUES (?, ?, 'open', ?, ?)
       ON CONFLICT (key) DO UPDATE SET state = 'open', entry = excluded.entry, updated_at = excluded.updated_at`,
      key,
      accountId ?? null,
      JSON.stringify(entry),
      Date.now(),
    )
    return known?.state !== 'open'
  }

  /** Open findings of an account not seen in its latest full compare: they are resolved. */
  resolveUnseen(accountId: string, seen: ReadonlySet<string>): string[] {
    const open = this.sql
      .exec<{ key: string }>(
        "SELECT key FROM finding WHERE account_id = ? AND state = 'open'",
        accountId,
      )
      .toArray()
      .map((r) => r.key)
      .filter((k) => !seen.has(k))
    for (const key of open)
      this.sql.exec(
        "UPDATE finding SET state = 'resolved', updated_at = ? WHERE key = ?",
        Date.now(),
        key,
      )
    return open
  }
}
