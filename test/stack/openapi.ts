import { writeFileSync } from 'node:fs'
import { OPENAPI_PATH, renderOpenApi } from '../support/openapi.ts'

/**
 * `npm run openapi`: writes the OpenAPI 3.1 document generated from the routes' zod schemas to
 * `worker/routes/openapi.json` (committed; served at /v1/openapi.json as a static asset that
 * tools/console-assets.ts copies, and
 * `test/node/openapi.test.ts` fails when it differs from what the schemas generate).
 */
writeFileSync(OPENAPI_PATH, renderOpenApi())
console.log(`wrote ${OPENAPI_PATH}`)
