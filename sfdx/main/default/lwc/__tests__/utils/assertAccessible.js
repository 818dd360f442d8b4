/**
 * A small accessibility check for LWC jest tests (in place of @sa11y/jest, which this project does
 * not install). It walks the rendered tree, shadow roots included, and fails with every problem
 * it finds:
 * - native buttons, links and form controls have an accessible name;
 * - base components that render a control or an icon were given the label/alternative text they
 *   turn into one (the jest stubs do not render, so the check reads their public properties);
 * - images have alt text, role="img" has a name;
 * - role values and aria-* attribute names are real, and aria id references resolve.
 */
const ROLES = new Set([
  'alert',
  'alertdialog',
  'application',
  'article',
  'banner',
  'button',
  'cell',
  'checkbox',
  'columnheader',
  'combobox',
  'complementary',
  'contentinfo',
  'definition',
  'dialog',
  'directory',
  'document',
  'feed',
  'figure',
  'form',
  'grid',
  'gridcell',
  'group',
  'heading',
  'img',
  'link',
  'list',
  'listbox',
  'listitem',
  'log',
  'main',
  'marquee',
  'math',
  'menu',
  'menubar',
  'menuitem',
  'menuitemcheckbox',
  'menuitemradio',
  'meter',
  'navigation',
  'none',
  'note',
  'option',
  'presentation',
  'progressbar',
  'radio',
  'radiogroup',
  'region',
  'row',
  'rowgroup',
  'rowheader',
  'scrollbar',
  'search',
  'searchbox',
  'separator',
  'slider',
  'spinbutton',
  'status',
  'switch',
  'tab',
  'table',
  'tablist',
  'tabpanel',
  'term',
  'textbox',
  'timer',
  'toolbar',
  'tooltip',
  'tree',
  'treegrid',
  'treeitem',
])
const ARIA = new Set([
  'activedescendant',
  'atomic',
  'autocomplete',
  'busy',
  'checked',
  'colcount',
  'colindex',
  'colspan',
  'controls',
  'current',
  'describedby',
  'description',
  'details',
  'disabled',
  'errormessage',
  'expanded',
  'flowto',
  'haspopup',
  'hidden',
  'invalid',
  'keyshortcuts',
  'label',
  'labelledby',
  'level',
  'live',
  'modal',
  'multiline',
  'multiselectable',
  'orientation',
  'owns',
  'placeholder',
  'posinset',
  'pressed',
  'readonly',
  'relevant',
  'required',
  'roledescription',
  'rowcount',
  'rowindex',
  'rowspan',
  'selected',
  'setsize',
  'sort',
  'valuemax',
  'valuemin',
  'valuenow',
  'valuetext',
])
const ID_REFS = [
  'labelledby',
  'describedby',
  'controls',
  'owns',
  'errormessage',
  'activedescendant',
]
// Base components and the property that becomes their accessible name.
const NAMED_BY = {
  'lightning-button': ['label', 'title'],
  'lightning-button-icon': ['alternativeText'],
  'lightning-button-menu': ['alternativeText', 'label'],
  'lightning-input': ['label'],
  'lightning-textarea': ['label'],
  'lightning-combobox': ['label'],
  'lightning-radio-group': ['label'],
  'lightning-checkbox-group': ['label'],
  'lightning-spinner': ['alternativeText'],
  'lightning-icon': ['alternativeText'],
  'lightning-badge': ['label'],
  'lightning-progress-bar': ['label', 'ariaLabel'],
  'lightning-formatted-url': ['label', 'value'],
}

function describe(el) {
  const id = el.id ? `#${el.id}` : ''
  const cls =
    el.className && typeof el.className === 'string'
      ? `.${el.className.trim().split(/\s+/).join('.')}`
      : ''
  return `<${el.tagName.toLowerCase()}${id}${cls}>`
}

function* walk(root) {
  for (const el of root.querySelectorAll('*')) {
    yield el
    if (el.shadowRoot) yield* walk(el.shadowRoot)
  }
}

function textOf(el) {
  return (el.textContent || '').trim()
}

function hasName(el, root) {
  if ((el.getAttribute('aria-label') || '').trim()) return true
  const ids = (el.getAttribute('aria-labelledby') || '').split(/\s+/).filter(Boolean)
  if (ids.some((id) => textOf(root.querySelector(`[id="${id}"]`) || {}))) return true
  if ((el.getAttribute('title') || '').trim()) return true
  return false
}

function labelledControl(el, root) {
  if (hasName(el, root)) return true
  if (el.closest('label')) return true
  return Boolean(el.id && root.querySelector(`label[for="${el.id}"]`))
}

/**
 * Collects accessibility problems under `element` (a component host or any node).
 * @param {Element} element
 * @returns {string[]} problems, empty when none
 */
export function accessibilityProblems(element) {
  const problems = []
  const roots = [element.shadowRoot || element]
  for (const el of walk(element.shadowRoot || element)) {
    if (el.shadowRoot) roots.push(el.shadowRoot)
  }
  for (const root of roots) {
    for (const el of root.querySelectorAll('*')) {
      const tag = el.tagName.toLowerCase()
      const where = describe(el)
      if (tag === 'img' && !el.hasAttribute('alt')) problems.push(`${where} has no alt text`)
      if (
        (tag === 'button' || (tag === 'a' && el.hasAttribute('href'))) &&
        !textOf(el) &&
        !hasName(el, root)
      ) {
        problems.push(`${where} has no accessible name`)
      }
      if (
        ['input', 'select', 'textarea'].includes(tag) &&
        el.type !== 'hidden' &&
        !labelledControl(el, root)
      ) {
        problems.push(`${where} has no label`)
      }
      const role = el.getAttribute('role')
      if (role !== null) {
        if (!ROLES.has(role)) problems.push(`${where} has unknown role "${role}"`)
        if (role === 'img' && !hasName(el, root)) problems.push(`${where} role="img" has no name`)
      }
      for (const attr of el.getAttributeNames()) {
        if (!attr.startsWith('aria-')) continue
        const name = attr.slice(5)
        if (!ARIA.has(name)) problems.push(`${where} has unknown attribute ${attr}`)
        if (ID_REFS.includes(name)) {
          for (const id of el.getAttribute(attr).split(/\s+/).filter(Boolean)) {
            if (!root.querySelector(`[id="${id}"]`))
              problems.push(`${where} ${attr} points at missing #${id}`)
          }
        }
      }
      const props = NAMED_BY[tag]
      if (props && !props.some((p) => typeof el[p] === 'string' && el[p].trim())) {
        problems.push(`${where} has no ${props.join(' or ')}`)
      }
    }
  }
  return problems
}

/**
 * Fails the test when `element` has accessibility problems.
 * @param {Element} element
 * @throws {Error} listing every problem found
 */
export function assertAccessible(element) {
  const problems = accessibilityProblems(element)
  if (problems.length) {
    throw new Error(`Accessibility problems:\n- ${problems.join('\n- ')}`)
  }
}

/** Resolves after pending promise callbacks (and the re-render they cause) have run. */
export function flushPromises() {
  // A test helper, not component code: a macrotask is the one way to wait for every pending
  // microtask (wire emits, re-renders) to settle, as the sfdx-lwc-jest recipes do.
  // eslint-disable-next-line @lwc/lwc/no-async-operation
  return new Promise((resolve) => setTimeout(resolve, 0))
}
