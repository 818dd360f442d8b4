import { version as htmxVersion } from 'htmx.org/package.json'

/**
 * Where the console's static files are: Workers Static Assets that `tools/console-assets.ts`
 * (wrangler's build step) builds into `.assets/`, served at the edge and kept out of the worker's
 * bundle. htmx comes from the `htmx.org` package, under a path that carries its version (cached
 * for a year; an upgrade is a new URL); the stylesheet is `console.css` beside this file.
 */
export const HTMX_PATH = `/console/static/vendor/htmx-${htmxVersion}.min.js`

export const STYLESHEET_PATH = '/console/static/console.css'
