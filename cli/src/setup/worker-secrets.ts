import { spawn } from 'node:child_process'
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import { failure, messageOf } from '../lib/failure.ts'

/** Where the worker's secrets go: `wrangler secret put`, the Cloudflare API, or a .dev.vars file. */
export interface WorkerSecrets {
  /** Names the place, for the summary (never the value). */
  readonly where: string
  /** @throws SfError naming the secret (never its value), what the tool said and what to do. */
  put(name: string, value: string): Promise<void>
}

/**
 * `wrangler secret put NAME`, the value on stdin (never on the command line, where `ps` shows
 * it). The command is `npx wrangler` unless CONCORD_WRANGLER names another (tests point it at a
 * recorder; an admin at a global wrangler).
 */
export function wranglerSecrets(opts: { workerName?: string; cwd: string }): WorkerSecrets {
  const command = process.env.CONCORD_WRANGLER ?? 'npx wrangler'
  return {
    where: `wrangler secret put${opts.workerName ? ` --name ${opts.workerName}` : ''}`,
    put: (name, value) =>
      new Promise((resolve, reject) => {
        const args = [
          'secret',
          'put',
          name,
          ...(opts.workerName ? ['--name', opts.workerName] : []),
        ]
        const [bin = 'npx', ...pre] = command.split(' ')
        const child = spawn(bin, [...pre, ...args], {
          cwd: opts.cwd,
          stdio: ['pipe', 'pipe', 'pipe'],
        })
        let out = ''
        child.stdout.on('data', (d: Buffer) => (out += d.toString()))
        child.stderr.on('data', (d: Buffer) => (out += d.toString()))
        child.on('error', (err) => reject(wranglerFailure(name, messageOf(err), value)))
        child.on('close', (code) =>
          code === 0
            ? resolve()
            : reject(wranglerFailure(name, `exited ${code}: ${out.trim().slice(-400)}`, value)),
        )
        child.stdin.end(`${value}\n`)
      }),
  }
}

function wranglerFailure(name: string, said: string, value: string) {
  return failure(
    {
      doing: `Storing the worker secret ${name} with wrangler`,
      said: `wrangler ${said}`,
      next: [
        'Log wrangler in (npx wrangler login) or set CLOUDFLARE_API_TOKEN, and run setup from the worker’s folder (wrangler.toml), or pass --worker-name.',
        'Or pass --cloudflare-token and --cloudflare-account to use the Cloudflare API instead.',
      ],
      code: 'WorkerSecretFailed',
    },
    [value],
  )
}

/**
 * The Cloudflare API's "Add script secret": `PUT /accounts/{account_id}/workers/scripts/
 * {script_name}/secrets` with `{name, text, type: "secret_text"}`, bearer token auth.
 */
export function cloudflareSecrets(opts: {
  apiBase: string
  token: string
  accountId: string
  workerName: string
}): WorkerSecrets {
  const url = `${opts.apiBase.replace(/\/+$/, '')}/accounts/${encodeURIComponent(opts.accountId)}/workers/scripts/${encodeURIComponent(opts.workerName)}/secrets`
  return {
    where: `Cloudflare API (worker ${opts.workerName})`,
    async put(name, value) {
      const doing = `Storing the worker secret ${name} through the Cloudflare API`
      let res: Response
      try {
        res = await fetch(url, {
          method: 'PUT',
          headers: { authorization: `Bearer ${opts.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ name, text: value, type: 'secret_text' }),
          signal: AbortSignal.timeout(20_000),
        })
      } catch (err) {
        throw failure(
          { doing, said: messageOf(err), next: ['Check the network, then run setup again.'] },
          [opts.token, value],
        )
      }
      if (res.ok) return
      const body = (await res.json().catch(() => ({}))) as {
        errors?: Array<{ code: number; message: string }>
      }
      const said =
        body.errors?.map((e) => `${e.code} ${e.message}`).join('; ') || `HTTP ${res.status}`
      throw failure(
        {
          doing,
          said: `Cloudflare answered ${res.status}: ${said}`,
          next: [
            'The token needs the Workers Scripts: Edit permission on this account; check --cloudflare-account and --worker-name (the name in wrangler.toml).',
          ],
          code: 'WorkerSecretFailed',
        },
        [opts.token, value],
      )
    },
  }
}

/** For the local stack: the secrets go into the .dev.vars file wrangler dev reads. */
export function devVarsSecrets(path: string): WorkerSecrets {
  return {
    where: path,
    put(name, value) {
      const lines = existsSync(path) ? readFileSync(path, 'utf8').split('\n') : []
      const entry = `${name}=${JSON.stringify(value)}`
      const at = lines.findIndex((l) => l.startsWith(`${name}=`))
      if (at >= 0) {
        lines[at] = entry
        writeFileSync(path, lines.join('\n'))
      } else appendFileSync(path, `${lines.length && lines.at(-1) !== '' ? '\n' : ''}${entry}\n`)
      return Promise.resolve()
    },
  }
}
