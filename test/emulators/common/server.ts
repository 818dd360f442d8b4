import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Effects } from './effects.ts'
import { Faults, type FaultRule } from './faults.ts'
import type { EmuRequest, EmuResponse, Router } from './router.ts'

/** What a vendor emulator plugs into the shared server. */
export interface EmulatorSpec {
  /** Short name for logs: `stripe`, `salesforce`, `netsuite`. */
  name: string
  /**
   * The ledger the vendor's handlers record effects in. The server serves and resets this one,
   * so `GET /__control/effects` shows them; when absent the server makes its own (and handlers
   * have no way to reach it).
   */
  effects?: Effects
  router: Router
  /** The vendor-shaped error body for an injected fault with this status. */
  faultBody(status: number): unknown
  /** Extra headers on every response (e.g. `Sforce-Limit-Info`). */
  commonHeaders?(req: EmuRequest): Record<string, string>
  /** Forget all vendor state (counters and faults are reset by the server). */
  reset(): void
  /** A JSON dump of vendor state for `GET /__control/state`. */
  state(): unknown
  /** Vendor-specific control routes under `/__control/<name>`. */
  control?(
    action: string,
    body: unknown,
  ): EmuResponse | undefined | Promise<EmuResponse | undefined>
}

export interface RunningEmulator {
  url: string
  port: number
  server: Server
  effects: Effects
  faults: Faults
  /** Count of requests that reached a route (faulted or not), by route name. */
  requests: Map<string, number>
  close(): Promise<void>
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

function send(res: ServerResponse, out: EmuResponse, extra: Record<string, string> = {}): void {
  const headers: Record<string, string> = { ...extra, ...(out.headers ?? {}) }
  let payload = ''
  if (out.text !== undefined) payload = out.text
  else if (out.body !== undefined) {
    payload = JSON.stringify(out.body)
    headers['content-type'] ??= 'application/json;charset=UTF-8'
  }
  res.writeHead(out.status, headers)
  res.end(payload)
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * Starts an emulator on loopback. `port` 0 picks a free port. Control API:
 * `POST /__control/reset`, `POST /__control/faults {rules, seed?}`, `POST /__control/outage
 * {seconds, status?, route?}`, `GET /__control/effects`, `GET /__control/requests`,
 * `GET /__control/state`, and vendor extras at `/__control/<name>/<action>`.
 */
export async function startEmulator(
  spec: EmulatorSpec,
  port = 0,
  host = '127.0.0.1',
): Promise<RunningEmulator> {
  const effects = spec.effects ?? new Effects()
  const faults = new Faults()
  const requests = new Map<string, number>()
  const hanging = new Set<ServerResponse>()

  const control = async (action: string, body: unknown): Promise<EmuResponse> => {
    const input = (body ?? {}) as {
      rules?: FaultRule[]
      seed?: number
      seconds?: number
      status?: number
      route?: string
    }
    switch (action) {
      case 'reset':
        spec.reset()
        effects.reset()
        faults.clear()
        requests.clear()
        return { status: 200, body: { ok: true } }
      case 'faults':
        faults.set(input.rules ?? [])
        if (input.seed !== undefined) faults.seed(input.seed)
        return { status: 200, body: { rules: faults.rules } }
      case 'outage':
        return {
          status: 200,
          body: faults.addOutage(input.seconds ?? 30, input.status ?? 503, input.route),
        }
      case 'effects':
        return { status: 200, body: { counts: effects.counts(), effects: effects.all() } }
      case 'requests':
        return { status: 200, body: Object.fromEntries(requests) }
      case 'state':
        return { status: 200, body: spec.state() }
      default: {
        const vendor = action.startsWith(`${spec.name}/`)
          ? await spec.control?.(action.slice(spec.name.length + 1), body)
          : undefined
        return vendor ?? { status: 404, body: { error: `unknown control action ${action}` } }
      }
    }
  }

  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      const url = new URL(req.url ?? '/', `http://${host}`)
      const rawBody = await readBody(req)
      const headers: Record<string, string> = {}
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v
      const method = req.method ?? 'GET'
      if (url.pathname.startsWith('/__control/')) {
        const body: unknown = rawBody ? JSON.parse(rawBody) : undefined
        return send(res, await control(url.pathname.slice('/__control/'.length), body))
      }
      const found = spec.router.match(method, url.pathname)
      if (!found) return send(res, { status: 404, body: spec.faultBody(404) })
      const emuReq: EmuRequest = {
        method,
        path: url.pathname,
        query: url.searchParams,
        headers,
        rawBody,
        params: found.params,
      }
      const name = `${method} ${url.pathname}`
      requests.set(found.route.name, (requests.get(found.route.name) ?? 0) + 1)
      const decision = faults.decide(name)
      if (decision.latencyMs) await sleep(decision.latencyMs)
      if (decision.hang) {
        hanging.add(res)
        res.on('close', () => hanging.delete(res))
        return
      }
      const common = spec.commonHeaders?.(emuReq) ?? {}
      const faultHeaders: Record<string, string> =
        decision.retryAfter !== undefined ? { 'retry-after': String(decision.retryAfter) } : {}
      if (decision.status !== undefined && !decision.afterEffect) {
        return send(
          res,
          { status: decision.status, body: spec.faultBody(decision.status) },
          { ...common, ...faultHeaders },
        )
      }
      const out = await found.route.handler(emuReq)
      if (decision.status !== undefined) {
        return send(
          res,
          { status: decision.status, body: spec.faultBody(decision.status) },
          { ...common, ...faultHeaders },
        )
      }
      send(res, out, common)
    } catch (err) {
      console.error(`[${spec.name}] emulator error`, err)
      if (!res.headersSent) send(res, { status: 500, body: spec.faultBody(500) })
    }
  }
  // serve() catches everything itself, so nothing is left for node:http to handle.
  const server = createServer((req, res) => void serve(req, res))
  server.keepAliveTimeout = 1000
  await new Promise<void>((resolve) => server.listen(port, host, resolve))
  const actual = (server.address() as AddressInfo).port
  return {
    url: `http://${host}:${actual}`,
    port: actual,
    server,
    effects,
    faults,
    requests,
    close: async () => {
      for (const res of hanging) res.destroy()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
