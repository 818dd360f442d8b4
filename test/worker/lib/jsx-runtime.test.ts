import { jsx as honoJsx, Fragment as HonoFragment } from 'hono/jsx/jsx-runtime'
import { raw as honoRaw } from 'hono/html'
import { describe, expect, it } from 'vitest'
import { Fragment, jsx, raw } from '../../../worker/lib/jsx-runtime.ts'

type Props = Record<string, unknown>
type Tag = string | ((props: Props) => unknown)
/** A tree described once, built with either runtime (as compiled JSX calls it). */
type Build = (
  jsx: (tag: Tag, props: Props) => unknown,
  fragment: Tag,
  raw: (s: string) => unknown,
) => unknown

const TREES: Record<string, Build> = {
  'text and attributes, escaped': (h) =>
    h('p', { title: `Tom & "Jerry" <'x'>`, children: ['a < b & c > "d" \'e\'', 3, null, false] }),
  'void elements, empty and with attributes': (h) =>
    h('div', {
      children: [h('br', {}), h('input', { type: 'hidden', name: '_csrf', value: 'x"y' })],
    }),
  'boolean attributes, numbers, null and undefined': (h) =>
    h('script', {
      src: '/a.js',
      defer: true,
      async: false,
      tabindex: -1,
      'aria-current': undefined,
      id: null,
    }),
  'a boolean in a non-boolean attribute is its text': (h) =>
    h('div', { 'hx-boost': true, 'data-open': false, children: 'x' }),
  'className and htmlFor': (h) => h('label', { className: 'c', htmlFor: 'f', children: 'L' }),
  'components, fragments and nested arrays': (h, fragment) => {
    const Item = (p: Props) => h('li', { children: p.children })
    return h(fragment, {
      children: [
        h(Item, { children: 'one' }),
        [h(Item, { children: ['two', [h('b', { children: 2 })]] })],
      ],
    })
  },
  'raw HTML as a child and as an attribute': (h, fragment, raw) =>
    h(fragment, {
      children: [
        raw('<!doctype html>'),
        h('a', { href: raw('/x?a=1&amp;b=2'), children: raw('<i>i</i>') }),
      ],
    }),
  'svg as written': (h) =>
    h('svg', {
      viewBox: '0 0 10 10',
      class: 'spark',
      children: h('polyline', { points: '0,1 2,3' }),
    }),
  'a component returning null': (h) => h('div', { children: h(() => null, {}) }),
}

describe('the JSX runtime', () => {
  for (const [name, build] of Object.entries(TREES))
    it(`renders ${name} as hono/jsx does`, () => {
      const ours = String(build(jsx, Fragment, raw))
      const hono = String(build(honoJsx, HonoFragment, honoRaw))
      expect(ours).toBe(hono)
      expect(ours.length).toBeGreaterThan(0)
    })

  it('escapes what it is given and passes raw HTML through', () => {
    const html = jsx('p', { class: '"x"', children: ['<b>', raw('<i>ok</i>')] })
    expect(String(html)).toBe('<p class="&quot;x&quot;">&lt;b&gt;<i>ok</i></p>')
    expect((html as unknown as { isEscaped: boolean }).isEscaped).toBe(true)
  })

  it('refuses an async component and a function in a plain attribute', () => {
    expect(() => jsx('div', { children: Promise.resolve('x') })).toThrow(/async components/)
    expect(() => jsx('a', { href: () => '/x' })).toThrow(/Invalid prop 'href'/)
    expect(String(jsx('button', { onclick: () => 1, children: 'b' }))).toBe('<button>b</button>')
  })
})
