import type { FC } from 'hono/jsx'
import { Layout, Notice } from './layout.tsx'

/**
 * The one-time link's landing page: the link itself changes nothing (link previews and
 * prefetchers follow links), the button posts the code and signs in.
 */
export const SignInPage: FC<{ code?: string; problem?: string; access: boolean }> = (props) => (
  <Layout title="Sign in">
    <Notice text={props.problem} bad />
    {props.access ? (
      <p>This console signs in through Cloudflare Access. Open it through your Access URL.</p>
    ) : props.code ? (
      <form method="post" action="/console/login">
        <input type="hidden" name="code" value={props.code} />
        <p>This link signs you in once and then stops working.</p>
        <button type="submit">Sign in</button>
      </form>
    ) : (
      <p>
        Sign in with the one-time link <code>npm start</code> prints (locally), or through
        Cloudflare Access (deployed).
      </p>
    )}
  </Layout>
)

/** Any console failure, as a page: the safe message and the request id, never internal detail. */
export const ErrorPage: FC<{ status: number; message: string; requestId: string }> = (props) => (
  <Layout title={props.status === 404 ? 'Not found' : 'Something went wrong'}>
    <Notice text={props.message} bad />
    <p>
      Request id: <code>{props.requestId}</code>
    </p>
    <p>
      <a href="/console">Back to the overview</a>
    </p>
  </Layout>
)
