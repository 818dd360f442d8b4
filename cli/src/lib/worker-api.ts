import { failure, messageOf } from './failure.ts'
import type { WorkerErrorBody } from './worker-types.ts'

/** An answer read in full: status, the Date header (for clock skew) and the parsed body. */
export interface WorkerAnswer {
  status: number
  date: string | null
  retryAfter: string | null
  body: unknown
}

function isErrorBody(body: unknown): body is WorkerErrorBody {
  if (typeof body !== 'object' || body === null || !('error' in body)) return false
  const error = body.error
  return typeof error === 'object' && error !== null && 'code' in error && 'message' in error
}

/** What to do about a refusal, by the worker's status and error code. */
function nextSteps(status: number, retryAfter: string | null): string[] {
  if (status === 401)
    return [
      'Pass an operator token with --token or the CONCORD_TOKEN environment variable.',
      'The worker keeps only SHA-256 hashes of its tokens (the OPERATOR_TOKENS secret): add the hash of a new token there with `npx wrangler secret put OPERATOR_TOKENS` if this one was lost.',
    ]
  if (status === 403)
    return [
      'Use a token whose role allows this (the message names it): viewer tokens read, operator tokens act, approver tokens approve.',
      'Nobody approves their own request: a second person with the approver role must.',
    ]
  if (status === 404)
    return [
      'Check the id. `sf concord exceptions list` shows parked amendments with their account and amendment ids.',
    ]
  if (status === 409)
    return ['Read the current state first (the message says what it is), then try again.']
  if (status === 400 || status === 422) return ['Correct the request as the message says.']
  if (status === 503)
    return [
      `The worker or a vendor behind it is unavailable for now: try again${retryAfter ? ` in ${retryAfter} s` : ' shortly'}.`,
    ]
  return ['Look the request id up in the worker logs (`npx wrangler tail`) to see what went wrong.']
}

/**
 * The worker's operator API over HTTP with a bearer token. The token goes only into the
 * Authorization header; it is never part of a message, even when the worker refuses it.
 */
export class WorkerApi {
  readonly baseUrl: string
  private readonly token: string | undefined

  constructor(baseUrl: string, token: string | undefined) {
    this.baseUrl = baseUrl.replace(/\/+$/, '')
    this.token = token
  }

  /**
   * One request, answered whatever the status.
   * @throws SfError when the worker cannot be reached or answers something that is not JSON.
   */
  async send(method: string, path: string, doing: string, body?: unknown): Promise<WorkerAnswer> {
    const headers: Record<string, string> = { accept: 'application/json' }
    if (this.token) headers.authorization = `Bearer ${this.token}`
    if (body !== undefined) headers['content-type'] = 'application/json'
    let res: Response
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      })
    } catch (err) {
      throw failure(
        {
          doing,
          said: `the worker at ${this.baseUrl} could not be reached (${messageOf(err)})`,
          next: [
            'Check --worker-url (or CONCORD_WORKER_URL): it is the URL `npx wrangler deploy` printed.',
            'Check that the worker is deployed and its route answers: curl <worker-url>/healthz',
          ],
          code: 'WorkerUnreachable',
        },
        [this.token],
      )
    }
    const text = await res.text()
    let parsed: unknown = undefined
    if (text) {
      try {
        parsed = JSON.parse(text) as unknown
      } catch {
        throw failure(
          {
            doing,
            said: `${this.baseUrl}${path} answered ${res.status} with something that is not the worker's JSON`,
            next: ['Check that --worker-url points at the Concord worker, not at another site.'],
            code: 'NotTheWorker',
          },
          [this.token],
        )
      }
    }
    return {
      status: res.status,
      date: res.headers.get('date'),
      retryAfter: res.headers.get('retry-after'),
      body: parsed,
    }
  }

  /**
   * A request whose success is a 2xx; anything else becomes an admin-readable error naming the
   * worker's code, message and request id.
   * @throws SfError for any non-2xx answer or an unreachable worker.
   */
  async call<T>(method: string, path: string, doing: string, body?: unknown): Promise<T> {
    const answer = await this.send(method, path, doing, body)
    if (answer.status >= 200 && answer.status < 300) return answer.body as T
    throw this.refusal(answer, doing)
  }

  /** The error for a non-2xx answer. */
  refusal(answer: WorkerAnswer, doing: string): Error {
    const said = isErrorBody(answer.body)
      ? `the worker answered ${answer.status} ${answer.body.error.code}: ${answer.body.error.message}${
          answer.body.error.details?.length
            ? ` (${answer.body.error.details.map((d) => `${d.field}: ${d.message}`).join('; ')})`
            : ''
        } [request id ${answer.body.error.requestId}]`
      : `the worker answered ${answer.status}`
    return failure(
      {
        doing,
        said,
        next: nextSteps(answer.status, answer.retryAfter),
        code: `Worker${answer.status}`,
      },
      [this.token],
    )
  }
}
