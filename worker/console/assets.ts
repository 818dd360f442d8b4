import htmxSource from 'htmx.org/dist/htmx.min.js'
import { version as htmxVersion } from 'htmx.org/package.json'

/**
 * The console's static files. htmx comes from the `htmx.org` package (a text module, see the
 * `[[rules]]` in wrangler.toml), never a committed copy; its path carries the version, so it can
 * be cached for a year and an upgrade is a new URL.
 */
export const HTMX_PATH = `/console/static/htmx-${htmxVersion}.min.js`
export const HTMX_SOURCE: string = htmxSource

export const STYLESHEET_PATH = '/console/static/console.css'

/** Plain, readable, high-contrast; focus is always visible (keyboard use). */
export const STYLESHEET = `
:root { color-scheme: light dark; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --accent: #0b57d0; --bad: #b3261e; --bg: #fff; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --muted: #9da7b3; --line: #30363d; --accent: #79b8ff; --bad: #ff8a80; --bg: #0d1117; } }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--accent); }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.skip { position: absolute; left: -999px; } .skip:focus { left: 1rem; top: 1rem; background: var(--bg); padding: .5rem; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
dl.pairs { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; } dl.pairs dd { margin: 0; }
header { display: flex; gap: 1.5rem; align-items: center; padding: .75rem 1.5rem; border-bottom: 1px solid var(--line); flex-wrap: wrap; }
header nav ul { display: flex; gap: 1rem; list-style: none; margin: 0; padding: 0; }
header .who { margin-left: auto; color: var(--muted); display: flex; gap: .75rem; align-items: center; }
main { padding: 1rem 1.5rem 3rem; max-width: 80rem; }
.tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr)); gap: 1rem; padding: 0; }
.tiles > div { border: 1px solid var(--line); border-radius: 6px; padding: .75rem 1rem; margin: 0; }
.tiles dt { color: var(--muted); } .tiles dd { margin: 0; font-size: 1.6rem; font-weight: 600; }
.tiles dd small { font-size: .85rem; font-weight: 400; color: var(--muted); display: block; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1.5rem; }
th, td { text-align: left; padding: .4rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
form.inline { display: flex; gap: .5rem; align-items: end; flex-wrap: wrap; margin: 0 0 .5rem; }
label { display: block; font-size: .85rem; color: var(--muted); }
input[type=text] { font: inherit; padding: .25rem .4rem; border: 1px solid var(--line); border-radius: 4px; background: var(--bg); color: var(--fg); }
button { font: inherit; padding: .3rem .8rem; border: 1px solid var(--accent); border-radius: 4px; background: var(--bg); color: var(--accent); cursor: pointer; }
.notice { border-left: 4px solid var(--accent); padding: .5rem 1rem; } .notice.bad { border-color: var(--bad); }
pre { white-space: pre-wrap; word-break: break-all; max-width: 60rem; }
`
