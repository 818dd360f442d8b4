import type { Journal } from '../journal.ts'
import type { JournalQueries } from '../queries.ts'
import { approvalRule } from '../governance.ts'
import { retryParked, type OperatorAct } from '../operator-actions.ts'

/** The vendor an operator links a customer in, as the API names it, and the ledger's side. */
export const LINK_SYSTEMS = { stripe: 'billing', netsuite: 'erp' } as const
export type LinkSystem = keyof typeof LINK_SYSTEMS

export type ChooseResult =
  | { status: 'ok'; retried: string[]; awaitingApproval: string[] }
  | { status: 'not_found' }
  | { status: 'conflict'; message: string }

/**
 * An operator's answer to `ambiguous_customer`: the customer to link for `system`. Kept for the
 * saga's cross-reference step (which checks it in the vendor and links it there). An amendment
 * parked on the ambiguity is retried when its retry moves no money; one whose billing step is
 * still ahead stays parked for the governed retry, which a second person approves
 * (`ledger/governance.ts`). Refused once the account already has a customer
 * in that system: a link is never changed under amendments that used it.
 */
export function chooseCustomer(
  sql: SqlStorage,
  journal: Journal,
  queries: JournalQueries,
  choice: { system: LinkSystem; customerId: string },
  act: OperatorAct,
): ChooseResult {
  const side = LINK_SYSTEMS[choice.system]
  const xref = journal.xref()
  const linked = side === 'billing' ? xref.billing_customer_id : xref.erp_customer_id
  if (linked)
    return {
      status: 'conflict',
      message: `The account is already linked to ${choice.system} customer ${linked}.`,
    }
  sql.exec(
    'INSERT OR REPLACE INTO customer_choice (system, customer_id, actor, chosen_at) VALUES (?, ?, ?, ?)',
    side,
    choice.customerId,
    act.actor,
    Date.now(),
  )
  journal.audit({
    actor: act.actor,
    action: 'customer_chosen',
    detail: { system: choice.system, customerId: choice.customerId, reason: act.reason ?? null },
  })
  const parked = sql
    .exec<{ id: string }>(
      "SELECT id FROM amendment WHERE state = 'parked' AND error_code = 'ambiguous_customer' ORDER BY received_at",
    )
    .toArray()
  const retried: string[] = []
  const awaitingApproval: string[] = []
  for (const { id } of parked) {
    const row = journal.get(id)
    if (!row) continue
    const amendment = journal.amendment(row)
    if (approvalRule({ kind: 'retry', step: row.step, amendment }).required)
      awaitingApproval.push(id)
    else if (!retryParked(journal, queries, row, act)) retried.push(id)
  }
  return { status: 'ok', retried, awaitingApproval }
}
