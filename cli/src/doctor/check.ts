import { renderTable } from '../lib/table.ts'

/** One line of `sf concord doctor`: what was checked, how it went, and what to do about it. */
export interface CheckResult {
  area: 'salesforce' | 'worker' | 'stripe' | 'netsuite' | 'clock'
  check: string
  status: 'pass' | 'warn' | 'fail'
  detail: string
  fix?: string
}

export const pass = (area: CheckResult['area'], check: string, detail: string): CheckResult => ({
  area,
  check,
  status: 'pass',
  detail,
})

export const warn = (
  area: CheckResult['area'],
  check: string,
  detail: string,
  fix: string,
): CheckResult => ({ area, check, status: 'warn', detail, fix })

export const fail = (
  area: CheckResult['area'],
  check: string,
  detail: string,
  fix: string,
): CheckResult => ({ area, check, status: 'fail', detail, fix })

/** A clock reading from a response: the server's Date header and our clock around the request. */
export interface ClockSample {
  source: string
  date: string | null
  sentAt: number
  receivedAt: number
}

/** The doctor's table: status, area, check, what was found and the fix. */
export const checkTable = (checks: CheckResult[]): string[] =>
  renderTable(checks, [
    { header: 'STATUS', get: (c) => c.status.toUpperCase(), max: 6 },
    { header: 'AREA', get: (c) => c.area, max: 10 },
    { header: 'CHECK', get: (c) => c.check, max: 36 },
    { header: 'DETAIL', get: (c) => c.detail, max: 48 },
    { header: 'FIX', get: (c) => c.fix ?? '', max: 48 },
  ])
