import { readFileSync } from 'node:fs'
import { mintLoginCode } from '../../worker/console/login-link.ts'

/**
 * `npm run console:link`: a fresh one-time sign-in link to the running local stack's console
 * (the one `npm start` printed works once). Needs the stack's `.stack/local.json`.
 */
const local = JSON.parse(readFileSync('.stack/local.json', 'utf8')) as {
  workerUrl: string
  consoleLoginSecret?: string
}
if (!local.consoleLoginSecret)
  throw new Error('.stack/local.json has no console secret: restart npm start')
const code = await mintLoginCode(local.consoleLoginSecret)
console.log(`${local.workerUrl}/console/login?code=${code}   (works once, for 15 minutes)`)
