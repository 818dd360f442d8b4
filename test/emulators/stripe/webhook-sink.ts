import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One request the sink received. */
export interface Received {
  headers: Record<string, string | string[] | undefined>
  raw: string
  event: { id: string; type: string; data: { object: { id: string } } }
}

/** A local HTTP endpoint that records webhook deliveries and answers what a test scripts. */
export interface WebhookSink {
  url: string
  received: Received[]
  /** Status for the next requests, consumed in order; then 200. */
  script: number[]
  close(): Promise<void>
}

/** Starts a webhook receiver on a free loopback port. */
export async function startWebhookSink(): Promise<WebhookSink> {
  const received: Received[] = []
  const script: number[] = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8')
      received.push({ headers: req.headers, raw, event: JSON.parse(raw) as Received['event'] })
      res.writeHead(script.shift() ?? 200)
      res.end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}/v1/webhooks/stripe`,
    received,
    script,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
