import type { AmendmentDetail } from './worker-types.ts'

/** An amendment as lines for the terminal: where it is, why, then its audit trail. */
export function describeAmendment(a: AmendmentDetail, accountId: string): string[] {
  const lines = [
    `Amendment ${a.id} (${a.action}, ${a.subscriptionKey} #${a.sequence}) on account ${accountId}`,
    `  state        ${a.state}${a.step ? ` at step ${a.step}` : ''}, ${a.attempts} attempt(s)`,
    `  correlation  ${a.correlationId}`,
    `  received     ${a.receivedAt}, updated ${a.updatedAt}`,
  ]
  if (a.errorCode) lines.push(`  error        ${a.errorCode}: ${a.errorMessage ?? ''}`)
  if (a.nextAttemptAt) lines.push(`  next attempt ${a.nextAttemptAt}`)
  if (a.billingRef) lines.push(`  billing      ${a.billingRef}`)
  if (a.erpRef) lines.push(`  ERP          ${a.erpRef}`)
  if (a.audit?.length) {
    lines.push('  audit:')
    for (const l of a.audit) {
      const move = l.fromState || l.toState ? ` ${l.fromState ?? '·'} → ${l.toState ?? '·'}` : ''
      const detail = l.detail
        ? ` ${Object.entries(l.detail)
            .map(([k, v]) => `${k}=${String(v)}`)
            .join(' ')}`
        : ''
      lines.push(`    ${l.at}  ${l.actor.padEnd(16)} ${l.action}${move}${detail}`)
    }
  }
  return lines
}
