import { Hono } from 'hono'
import { DurableObject } from 'cloudflare:workers'

export class AccountLedger extends DurableObject {
  async ping(): Promise<number> {
    this.ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS t (x INTEGER)')
    this.ctx.storage.sql.exec('INSERT INTO t VALUES (1)')
    return this.ctx.storage.sql.exec<{ n: number }>('SELECT count(*) AS n FROM t').one().n
  }
}
const app = new Hono()
app.get('/healthz', (c) => c.json({ ok: true }))
export default app
