import { buildOpenApi } from '../../worker/routes/contract/openapi.ts'

/** Where the generated document is committed; tools/console-assets.ts serves it from there. */
export const OPENAPI_PATH = 'worker/routes/openapi.json'

/** The document as committed: two-space JSON and a final newline. */
export function renderOpenApi(): string {
  return `${JSON.stringify(buildOpenApi(), null, 2)}\n`
}
