import { expect } from 'vitest'
import type { ActionRequest } from '../../../worker/ops/action-requests.ts'
import { operatorFetch } from './helpers.ts'
import { TEST_APPROVER_TOKEN } from './test-config.ts'

/** What `POST /v1/actions/:id/approve` answers. */
export type Approval = { status: string; request: ActionRequest }

/** Approves a request as `appr-carol` (or `token`'s holder). */
export function approve(id: string, token = TEST_APPROVER_TOKEN): Promise<Response> {
  return operatorFetch(`/v1/actions/${id}/approve`, { method: 'POST', token })
}

/**
 * Posts an operator action the approval rule governs (as `ops-alice` unless `token` says
 * otherwise), checks it waits for approval (202), and has `appr-carol` approve it.
 * @returns the approval's answer.
 */
export async function requestAndApprove(
  path: string,
  init: { body?: string; token?: string } = {},
): Promise<Approval> {
  const asked = await operatorFetch(path, { method: 'POST', ...init })
  expect(asked.status).toBe(202)
  const { request } = await asked.json<{ request: ActionRequest }>()
  expect(request.state).toBe('pending')
  const res = await approve(request.id)
  expect(res.status).toBe(200)
  return res.json<Approval>()
}
