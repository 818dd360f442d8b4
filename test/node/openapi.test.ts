import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { OPENAPI_PATH, renderOpenApi } from '../support/openapi.ts'

type Operation = {
  responses: Record<string, unknown>
  parameters: Array<{ name: string; in: string }>
  security?: unknown[]
}

describe('the OpenAPI document', () => {
  const generated = renderOpenApi()

  it('is committed exactly as the route schemas generate it', () => {
    const committed = readFileSync(OPENAPI_PATH, 'utf8')
    // Not toEqual: the message must say how to fix it, whatever the diff.
    if (committed !== generated)
      expect.fail(
        `${OPENAPI_PATH} is stale: the routes' zod schemas generate another document. Run \`npm run openapi\` and commit the result.`,
      )
  })

  it('is OpenAPI 3.1 with every route under /v1, each with a success answer, errors and its auth', () => {
    const doc = JSON.parse(generated) as {
      openapi: string
      paths: Record<string, Record<string, Operation>>
      components: { responses: Record<string, unknown> }
    }
    expect(doc.openapi).toBe('3.1.0')
    const paths = Object.keys(doc.paths)
    expect(paths.length).toBeGreaterThan(15)
    for (const [path, operations] of Object.entries(doc.paths)) {
      expect(path).toMatch(/^\/v1\//)
      for (const [method, op] of Object.entries(operations)) {
        const where = `${method.toUpperCase()} ${path}`
        expect(
          Object.keys(op.responses).some((s) => /^2\d\d$/.test(s)),
          where,
        ).toBe(true)
        expect(op.responses['500'], where).toEqual({ $ref: '#/components/responses/Internal' })
        for (const name of path.match(/\{(\w+)\}/g) ?? [])
          expect(
            op.parameters.some((p) => p.in === 'path' && `{${p.name}}` === name),
            `${where} declares ${name}`,
          ).toBe(true)
        expect(op.security, where).toBeDefined()
      }
    }
  })

  it('describes the query schemas the routes validate with, defaults and bounds included', () => {
    const doc = JSON.parse(generated) as {
      paths: Record<string, Record<string, { parameters: Array<Record<string, unknown>> }>>
    }
    const exceptions = doc.paths['/v1/exceptions']?.get?.parameters ?? []
    // Without `state` the route answers the work queue; with it, the amendments in that state.
    const state = exceptions.find((p) => p.name === 'state')
    expect(state).toMatchObject({
      in: 'query',
      required: false,
      schema: { enum: ['parked', 'waiting', 'applied', 'skipped'] },
    })
    expect(state?.schema).not.toHaveProperty('default')
    expect(exceptions.find((p) => p.name === 'category')).toMatchObject({
      required: false,
      schema: { enum: ['retrying', 'needs_data_fix', 'needs_approval'] },
    })
    expect(exceptions.find((p) => p.name === 'olderThan')).toMatchObject({
      schema: { pattern: expect.stringContaining('[mhd]') },
    })
    expect(exceptions.find((p) => p.name === 'limit')).toMatchObject({
      schema: { minimum: 1, maximum: 500, default: 100 },
    })
  })
})
