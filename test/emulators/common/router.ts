/** A tiny method + path router for the emulators: `/v1/customers/:id` style patterns. */
export interface EmuRequest {
  method: string
  path: string
  query: URLSearchParams
  headers: Record<string, string>
  rawBody: string
  params: Record<string, string>
}

export interface EmuResponse {
  status: number
  headers?: Record<string, string>
  body?: unknown
  /** Raw text body; wins over `body` (which is sent as JSON). */
  text?: string
}

export type Handler = (req: EmuRequest) => EmuResponse | Promise<EmuResponse>

interface Route {
  method: string
  pattern: RegExp
  keys: string[]
  name: string
  handler: Handler
}

/** Routes requests by method and path; the route name is what fault rules and counters match. */
export class Router {
  private routes: Route[] = []

  on(method: string, path: string, handler: Handler): this {
    const keys: string[] = []
    const source = path.replace(/:([A-Za-z_]+)/g, (_, key: string) => {
      keys.push(key)
      return '([^/]+)'
    })
    this.routes.push({
      method,
      pattern: new RegExp(`^${source}/?$`),
      keys,
      name: `${method} ${path}`,
      handler,
    })
    return this
  }

  match(
    method: string,
    path: string,
  ): { route: Route; params: Record<string, string> } | undefined {
    for (const route of this.routes) {
      if (route.method !== method) continue
      const m = route.pattern.exec(path)
      if (!m) continue
      const params: Record<string, string> = {}
      route.keys.forEach((key, i) => (params[key] = decodeURIComponent(m[i + 1] ?? '')))
      return { route, params }
    }
    return undefined
  }
}
