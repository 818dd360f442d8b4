import * as z from 'zod/mini'
import { ErrorBody } from '../../../shared/index.ts'
import { ROUTES, type Auth, type RouteContract } from './routes.ts'

type Json = Record<string, unknown>

/** JSON Schema 2020-12 (OpenAPI 3.1's dialect) of what a caller sends (`input`) or gets. */
function schemaOf(schema: z.core.$ZodType, io: 'input' | 'output'): Json {
  const json = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' })
  const { $schema: _dialect, ...rest } = json as Json
  return rest
}

/** An object schema's properties as OpenAPI parameters (`in: path` or `in: query`). */
function parametersOf(schema: z.core.$ZodType | undefined, where: 'path' | 'query'): Json[] {
  if (!schema) return []
  const json = schemaOf(schema, 'input') as {
    properties?: Record<string, Json>
    required?: string[]
  }
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    schema: property,
  }))
}

const SECURITY: Record<Auth, Json[] | undefined> = {
  viewer: [{ operatorToken: [] }],
  operator: [{ operatorToken: [] }],
  approver: [{ operatorToken: [] }],
  salesforce: [{ concordSignature: [], concordTimestamp: [], concordNonce: [] }],
  stripe: [{ stripeSignature: [] }],
  none: [],
}

/** The failures, described once under components; operations refer to them. */
const ERROR_RESPONSES: Record<string, string> = {
  BadRequest: 'Invalid input: `details` names each field',
  Unauthorized: 'Not authenticated',
  Forbidden: 'The token or session lacks the role the route needs',
  NotFound: 'Not found',
  Internal: 'Something failed inside Concord (the logs have it under requestId)',
  Unavailable: 'A vendor or object is unavailable; retry after Retry-After',
}

const ref = (name: string) => ({ $ref: `#/components/responses/${name}` })

/** The failures a route can answer, by who may call it. */
function errorsOf(route: RouteContract): Record<string, Json> {
  const out: Record<string, Json> = {
    '400': ref('BadRequest'),
    '500': ref('Internal'),
    '503': ref('Unavailable'),
  }
  if (route.auth !== 'none') out['401'] = ref('Unauthorized')
  if (route.auth === 'operator' || route.auth === 'viewer' || route.auth === 'approver')
    out['403'] = ref('Forbidden')
  if (route.path.includes('{')) out['404'] = ref('NotFound')
  return out
}

function operationOf(route: RouteContract): Json {
  const { ok } = route
  const roleNote =
    route.auth === 'viewer' || route.auth === 'operator' || route.auth === 'approver'
      ? ` (role: ${route.auth})`
      : ''
  return {
    operationId: `${route.method}${route.path.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string = '') => c.toUpperCase())}`,
    summary: route.summary,
    description: `${route.summary}${roleNote}.`,
    tags: [route.tag],
    security: SECURITY[route.auth],
    parameters: [...parametersOf(route.params, 'path'), ...parametersOf(route.query, 'query')],
    ...(route.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: schemaOf(route.body, 'input') } },
          },
        }
      : {}),
    responses: {
      [String(ok.status)]: {
        description: ok.description,
        ...(ok.body
          ? { content: { 'application/json': { schema: schemaOf(ok.body, 'output') } } }
          : {}),
      },
      ...errorsOf(route),
    },
  }
}

const SECURITY_SCHEMES = {
  operatorToken: {
    type: 'http',
    scheme: 'bearer',
    description: 'An operator token; its SHA-256 is in OPERATOR_TOKENS with a role',
  },
  concordSignature: {
    type: 'apiKey',
    in: 'header',
    name: 'X-Concord-Signature',
    description: 'v2=<HMAC-SHA256 of the canonical string> (README: Request signature)',
  },
  concordTimestamp: { type: 'apiKey', in: 'header', name: 'X-Concord-Timestamp' },
  concordNonce: { type: 'apiKey', in: 'header', name: 'X-Concord-Nonce' },
  stripeSignature: { type: 'apiKey', in: 'header', name: 'Stripe-Signature' },
}

/**
 * The OpenAPI 3.1 document of the HTTP API, from the routes' zod schemas. Run at build and test
 * time only (`npm run openapi` writes `worker/routes/openapi.json`, served as a static asset that
 * tools/console-assets.ts copies), so the worker bundle carries neither the document nor the
 * generator.
 */
export function buildOpenApi(): Json {
  const paths: Record<string, Record<string, Json>> = {}
  for (const route of ROUTES) (paths[route.path] ??= {})[route.method] = operationOf(route)
  return {
    openapi: '3.1.0',
    info: {
      title: 'Concord',
      version: '1',
      description:
        'Keeps Salesforce, Stripe Billing and NetSuite in step. Every error is {"error": {"code", "message", "requestId", "details"?}}.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    tags: [
      { name: 'intake', description: 'Calls from Salesforce and Stripe' },
      { name: 'operator', description: 'The operator API' },
      { name: 'trace', description: 'Following one correlation id end to end' },
      { name: 'contract', description: 'This document' },
    ],
    paths,
    components: {
      schemas: { ErrorBody: schemaOf(ErrorBody, 'output') },
      responses: Object.fromEntries(
        Object.entries(ERROR_RESPONSES).map(([name, description]) => [
          name,
          {
            description,
            content: {
              'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } },
            },
          },
        ]),
      ),
      securitySchemes: SECURITY_SCHEMES,
    },
  }
}
