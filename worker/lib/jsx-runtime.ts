/**
 * The console's JSX runtime (tsconfig `jsxImportSource: "#jsx"`, package.json `imports`): JSX
 * straight to escaped HTML strings, in the shape Hono's `c.html()` and `hono/html`'s `raw` use (a
 * `String` marked `isEscaped`). The types stay Hono's (`FC`, `Child`, the `JSX` namespace); only
 * the runtime is ours: Hono's (hoisting into `<head>`, context, async components, the DOM renderer)
 * is a fifth of the worker's bundle share of Hono, and the console renders synchronous pages only.
 * It renders as `hono/jsx` does for what the pages use: `<br/>` for an empty void element,
 * `defer=""` for a true boolean attribute, `&#39;` for a quote.
 */
export type { JSX } from 'hono/jsx/jsx-runtime'

/** Escaped HTML: what `hono/html`'s `raw` makes, and what JSX renders to. */
export type Html = string & { isEscaped: true }

type Props = Record<string, unknown> & { children?: unknown }
type Component = (props: Props) => unknown

const VOID = new Set(
  'area base br col embed hr img input keygen link meta param source track wbr'.split(' '),
)
const BOOLEAN = new Set(
  'allowfullscreen async autofocus autoplay checked controls default defer disabled download formnovalidate hidden inert ismap itemscope loop multiple muted nomodule novalidate open playsinline readonly required reversed selected'.split(
    ' ',
  ),
)
const RENAMED: Record<string, string> = { className: 'class', htmlFor: 'for' }
const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

/** Marks `value` as HTML already: it is written out as it is. */
export function raw(value: string): Html {
  return Object.assign(new String(value), { isEscaped: true }) as unknown as Html
}

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c)
// As hono/jsx does: any other value is its own text (a Date, a boolean in a plain attribute).
const textOf = (value: unknown) => String(value)
const isHtml = (value: unknown): value is Html =>
  value instanceof String && (value as { isEscaped?: unknown }).isEscaped === true

/**
 * A child as HTML: text escaped, numbers as they are, `null`, `undefined` and booleans as
 * nothing, arrays in order.
 * @throws Error for a promise: every component renders synchronously.
 */
function childHtml(child: unknown): string {
  if (child === null || child === undefined || typeof child === 'boolean') return ''
  if (typeof child === 'string') return escape(child)
  if (typeof child === 'number') return String(child)
  if (isHtml(child)) return String(child)
  if (Array.isArray(child)) return child.map(childHtml).join('')
  if (child instanceof Promise) throw new Error('JSX: async components are not supported')
  return escape(textOf(child))
}

/**
 * One attribute, with its leading space: none for `null`, `undefined`, `false` on a boolean
 * attribute or an `on*` handler (server-rendered pages have no handlers).
 * @throws Error for a function in any other attribute.
 */
function attribute(key: string, value: unknown, tag: string): string {
  if (key === 'children' || key === 'key' || key === 'ref' || value == null) return ''
  const name = RENAMED[key] ?? key
  if (typeof value === 'boolean' && BOOLEAN.has(name)) return value ? ` ${name}=""` : ''
  if (typeof value === 'function') {
    if (name.startsWith('on')) return ''
    throw new Error(`Invalid prop '${name}' of type 'function' supplied to '${tag}'.`)
  }
  const text = isHtml(value) || typeof value === 'number' ? String(value) : escape(textOf(value))
  return ` ${name}="${text}"`
}

/** The automatic runtime's entry: an element, a component's output, or a fragment's children. */
export function jsx(tag: string | Component, props: Props): Html {
  if (typeof tag === 'function') return raw(childHtml(tag(props)))
  let html = `<${tag}`
  for (const [key, value] of Object.entries(props)) html += attribute(key, value, tag)
  const children = childHtml(props.children)
  if (VOID.has(tag) && children === '') return raw(`${html}/>`)
  return raw(`${html}>${children}</${tag}>`)
}

export const jsxs = jsx
export const jsxDEV = jsx

/** `<>…</>`: its children, in order. */
export function Fragment(props: { children?: unknown }): Html {
  return raw(childHtml(props.children))
}
