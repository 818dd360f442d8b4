import * as z from 'zod/mini'
import { AccountChangeBatch, AccountChangeResult } from '../../../shared/index.ts'
import { CustomerLinkInput, CustomerLinkResponse } from '../account-change-schemas.ts'
import { AccountParam } from '../operator-schemas.ts'
import type { RouteContract } from './route-contract.ts'

const ok = (description: string, body?: z.core.$ZodType, status = 200) => ({
  status,
  body,
  description,
})

/** The account-change routes (issue 13.5): merges, legal-entity changes, customer links. */
export const ACCOUNT_CHANGE_ROUTES: RouteContract[] = [
  {
    method: 'post',
    path: '/v1/salesforce/account-changes',
    summary:
      "Account merges from the Account trigger (the loser's MasterRecordId): each is durable in the loser's ledger before the answer, which hands its customers, subscriptions and pending amendments to the survivor's",
    tag: 'intake',
    auth: 'salesforce',
    body: AccountChangeBatch,
    ok: ok(
      'One result per change',
      z.object({ requestId: z.string(), results: z.array(AccountChangeResult) }),
    ),
  },
  {
    method: 'post',
    path: '/v1/accounts/{accountId}/customer-link',
    summary:
      'Answer an ambiguous_customer exception: link this Stripe or NetSuite customer (checked in the vendor by the next try) and retry the amendments parked on it; 409 once the account has a customer there',
    tag: 'operator',
    auth: 'operator',
    params: AccountParam,
    body: CustomerLinkInput,
    ok: ok('The link and the amendments retried', CustomerLinkResponse),
  },
]
