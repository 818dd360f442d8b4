import { toCsv } from '../lib/csv.ts'
import type { ActionAuditLine } from './action-requests.ts'

const HEADER = [
  'at',
  'request_id',
  'kind',
  'target',
  'action',
  'actor',
  'correlation_id',
  'reason',
  'detail',
]

/**
 * The governed-action audit as CSV, one line per event, oldest first: the reason a person gave
 * (if any) in its own column, every other fact as JSON (`lib/csv.ts` escapes and guards).
 */
export function auditCsv(lines: readonly ActionAuditLine[]): string {
  return toCsv(
    HEADER,
    lines.map((l) => {
      const { reason, ...rest } = l.detail ?? {}
      return [
        l.at,
        l.requestId,
        l.kind,
        l.target,
        l.action,
        l.actor,
        l.correlationId,
        reason ?? '',
        Object.keys(rest).length > 0 ? JSON.stringify(rest) : '',
      ]
    }),
  )
}
