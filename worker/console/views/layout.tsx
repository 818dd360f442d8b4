import type { Child, FC } from 'hono/jsx'
import { raw } from 'hono/html'
import { HTMX_PATH, STYLESHEET_PATH } from '../assets.ts'
import type { ConsoleRole } from '../roles.ts'
import { AlertBanner, type BannerAlert } from './alert-banner.tsx'

/** The signed-in person as pages show them, and the CSRF token every form of theirs carries. */
export interface Viewer {
  name: string
  role: ConsoleRole
  csrf: string
  /** Open SLA alerts, shown as a banner on every page. */
  alerts?: BannerAlert[]
}

const NAV = [
  { href: '/console', label: 'Overview', key: 'overview' },
  { href: '/console/exceptions', label: 'Exceptions', key: 'exceptions' },
  { href: '/console/approvals', label: 'Approvals', key: 'approvals' },
  { href: '/console/trace', label: 'Trace', key: 'trace' },
] as const

export type Section = (typeof NAV)[number]['key'] | 'account'

/** The hidden field that carries the session's CSRF token in every POST form. */
export const CsrfField: FC<{ token: string }> = ({ token }) => (
  <input type="hidden" name="_csrf" value={token} />
)

/**
 * Every console page: a skip link, the navigation, who is signed in (with sign-out), then the
 * page in `<main>`. htmx is loaded deferred: without JavaScript every page still reads and every
 * form still posts (htmx only swaps the part that changed).
 */
export const Layout: FC<{ title: string; section?: Section; viewer?: Viewer; children?: Child }> = (
  props,
) => (
  <>
    {raw('<!doctype html>')}
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · Concord console`}</title>
        <link rel="stylesheet" href={STYLESHEET_PATH} />
        <script src={HTMX_PATH} defer></script>
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header>
          <strong>Concord</strong>
          {props.viewer ? <Navigation section={props.section} viewer={props.viewer} /> : null}
        </header>
        <main id="main" tabindex={-1}>
          <AlertBanner alerts={props.viewer?.alerts} />
          <h1>{props.title}</h1>
          {props.children}
        </main>
      </body>
    </html>
  </>
)

const Navigation: FC<{ section?: Section; viewer: Viewer }> = ({ section, viewer }) => (
  <>
    <nav aria-label="Console">
      <ul>
        {NAV.map((item) => (
          <li>
            <a href={item.href} aria-current={item.key === section ? 'page' : undefined}>
              {item.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
    <div class="who">
      <span>
        {viewer.name} ({viewer.role})
      </span>
      <form method="post" action="/console/logout">
        <CsrfField token={viewer.csrf} />
        <button type="submit">Sign out</button>
      </form>
    </div>
  </>
)

/** A message at the top of a page; `role="status"` so screen readers announce swapped ones. */
export const Notice: FC<{ text?: string; bad?: boolean }> = ({ text, bad }) =>
  text ? (
    <p class={bad ? 'notice bad' : 'notice'} role={bad ? 'alert' : 'status'}>
      {text}
    </p>
  ) : null
