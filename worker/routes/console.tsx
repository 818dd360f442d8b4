import type { MiddlewareHandler } from 'hono'
import { Hono } from 'hono/tiny'
import { AccountId } from '../../shared/index.ts'
import type { AccessVerifier } from '../console/access.ts'
import { loginIdentity, openLoginCode } from '../console/login-link.ts'
import { newSession } from '../console/session.ts'
import { AccountPage, AmendmentPage } from '../console/views/account.tsx'
import type { Viewer } from '../console/views/layout.tsx'
import { BacklogTiles } from '../console/views/overview.tsx'
import { ErrorPage, SignInPage } from '../console/views/sign-in.tsx'
import { NotFoundError } from '../errors.ts'
import { requestContext, describeFailure, type AppContext, type AppEnv } from './context.ts'
import { consoleSettings, consoleSignIn, endSession, startSession } from './console-auth.ts'
import { consoleTrace } from './console-trace.tsx'
import { readOverview } from './overview.ts'
import { kpiPartial, overviewPage, withAlerts } from './console-kpis.tsx'
import { auditDownload } from './actions.ts'
import { consoleApprovals } from './console-approvals.tsx'
import { consoleExceptions } from './console-exceptions.tsx'
import { parse } from './validate.ts'

/** Who a one-time link signs in: the person at the machine that ran `npm start`. */
const LINK_ACTOR = 'local-console'

/** Pages are private and never framed; scripts and styles only from the console itself. */
const pageHeaders: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next()
  c.header('X-Content-Type-Options', 'nosniff')
  if (c.req.path.startsWith('/console/static/')) return
  c.header(
    'Content-Security-Policy',
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  )
  c.header('Referrer-Policy', 'same-origin')
  c.header('Cache-Control', 'no-store')
}

const viewerOf = (c: AppContext): Viewer => c.get('viewer') as Viewer

async function redeemLink(c: AppContext) {
  const settings = consoleSettings(c)
  const access = settings.access !== undefined
  if (access || !settings.loginSecret)
    return c.html(<SignInPage access={access} problem="Sign-in links are off here." />, 404)
  const form = await c.req.parseBody()
  const code = typeof form.code === 'string' ? form.code : ''
  const nonce = await openLoginCode(settings.loginSecret, code, Date.now())
  const fresh = nonce ? await c.env.OPS_REGISTRY.getByName('global').redeemLogin(nonce) : false
  if (!fresh) {
    c.get('log').warn('console sign-in link refused', { reason: nonce ? 'used' : 'invalid' })
    const problem =
      'This sign-in link is no longer valid: it was used, it expired, or it was altered.'
    return c.html(<SignInPage access={false} problem={problem} />, 401)
  }
  const who = (await loginIdentity(settings.loginSecret, code)) ?? {
    name: LINK_ACTOR,
    role: 'admin',
  }
  const session = newSession(
    { sub: who.name, role: who.role, via: 'link' },
    settings.sessionTtlMs,
    Date.now(),
  )
  await startSession(c, settings, session)
  c.get('log').info('console sign-in by one-time link', { actor: who.name })
  return c.redirect('/console', 303)
}

/**
 * Anything under /static the edge did not serve: the console's files are static assets
 * (`tools/console-assets.ts`), answered before the worker runs.
 */
function serveStatic(): never {
  throw new NotFoundError('File')
}

async function accountPage(c: AppContext) {
  const accountId = parse(AccountId, c.req.param('accountId'), 'account id')
  const ledger = c.env.ACCOUNT_LEDGER.getByName(accountId)
  const [summary, standing] = await Promise.all([ledger.summary(), ledger.financialStanding()])
  if (!summary) throw new NotFoundError('Account')
  return c.html(<AccountPage summary={summary} standing={standing} viewer={viewerOf(c)} />)
}

async function amendmentPage(c: AppContext) {
  const accountId = parse(AccountId, c.req.param('accountId'), 'account id')
  const detail = await c.env.ACCOUNT_LEDGER.getByName(accountId).amendment(c.req.param('id') ?? '')
  if (!detail) throw new NotFoundError('Amendment')
  return c.html(<AmendmentPage accountId={accountId} detail={detail} viewer={viewerOf(c)} />)
}

/** Any failure as a page, from the same description the JSON API answers with. */
function errorPage(err: Error, c: AppContext) {
  const failure = describeFailure(err, c)
  if (failure.retryAfter) c.header('Retry-After', failure.retryAfter)
  return c.html(
    <ErrorPage status={failure.status} message={failure.message} requestId={failure.requestId} />,
    failure.status as 400,
  )
}

/**
 * The operations console (server-rendered, htmx for partial updates). Routes before
 * `consoleSignIn` are public (static files, sign-in); every route after it needs a session.
 * `access` verifies Cloudflare Access tokens; the composition root passes one built on `fetch`.
 */
export function consoleRoutes(access: AccessVerifier) {
  return new Hono<AppEnv>()
    .use(requestContext, pageHeaders)
    .get('/static/:file', serveStatic)
    .get('/login', (c) => {
      const settings = consoleSettings(c)
      const code = c.req.query('code')
      return c.html(<SignInPage access={settings.access !== undefined} code={code} />)
    })
    .post('/login', redeemLink)
    .use(consoleSignIn(access))
    .use(withAlerts)
    .get('/', overviewPage)
    .get('/partials/kpis', kpiPartial)
    .get('/partials/backlog', async (c) =>
      c.html(<BacklogTiles overview={await readOverview(c.env, c.get('log'))} now={Date.now()} />),
    )
    .route('/exceptions', consoleExceptions)
    .route('/approvals', consoleApprovals)
    .get('/audit.csv', auditDownload)
    .get('/accounts', (c) => {
      const id = parse(AccountId, c.req.query('id')?.trim(), 'id')
      return c.redirect(`/console/accounts/${id}`, 303)
    })
    .get('/accounts/:accountId', accountPage)
    .get('/accounts/:accountId/amendments/:id', amendmentPage)
    .route('/trace', consoleTrace)
    .post('/logout', (c) => {
      endSession(c)
      const access = consoleSettings(c).access !== undefined
      return c.redirect(access ? '/cdn-cgi/access/logout' : '/console/login', 303)
    })
    .all('*', () => {
      throw new NotFoundError('Page')
    })
    .onError(errorPage)
}
