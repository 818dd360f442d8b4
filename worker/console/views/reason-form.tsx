import type { FC } from 'hono/jsx'
import { CsrfField } from './layout.tsx'

/**
 * A CSRF-protected POST form with a reason field and one button: retry, skip, reject. It works
 * without JavaScript (it posts and the server redirects); `swap` lets htmx post it in place and
 * swap the element it names for the fresh one.
 */
export const ReasonForm: FC<{
  action: string
  csrf: string
  /** The reason input's id, unique on the page. */
  id: string
  label: string
  button: string
  required?: boolean
  swap?: string
}> = (p) => {
  const htmx = p.swap ? { 'hx-post': p.action, 'hx-target': p.swap, 'hx-swap': 'outerHTML' } : {}
  const rules = p.required ? { required: true, minlength: 3 } : {}
  return (
    <form class="inline" method="post" action={p.action} {...htmx}>
      <CsrfField token={p.csrf} />
      <div>
        <label for={p.id}>{p.label}</label>
        <input type="text" id={p.id} name="reason" maxlength={500} {...rules} />
      </div>
      <button type="submit">{p.button}</button>
    </form>
  )
}
