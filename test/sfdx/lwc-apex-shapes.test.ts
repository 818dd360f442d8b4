import { existsSync, readdirSync } from 'node:fs'
import { basename, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  ApexErrorListener,
  ApexParserFactory,
  type ClassDeclarationContext,
  type ModifierContext,
} from '@apexdevtools/apex-parser'
import { LWC, SFDX, filesUnder, read } from './project.ts'

/**
 * Jest mocks of Apex answers must have the Apex classes' real shapes. Each Apex method an LWC
 * imports that answers an Apex type has its mock in `lwc/<bundle>/__tests__/data/<method>.json`
 * (a parameter's in `<method>.<param>.json`); every key there must be an `@AuraEnabled` field of
 * the class the method declares, and a response fixture must show every such field at least once.
 */

/** An Apex class as the LWCs see it: its @AuraEnabled methods and inner classes' fields. */
interface ApexModel {
  name: string
  methods: Map<string, { returns: string; params: Array<{ name: string; type: string }> }>
  inner: Map<string, Map<string, string>>
}

class Throwing extends ApexErrorListener {
  override apexSyntaxError(line: number, column: number, message: string): void {
    throw new Error(`${line}:${column} ${message}`)
  }
}

const isAura = (modifiers: ModifierContext[]) =>
  modifiers.some((m) => m.annotation()?.id().getText().toLowerCase() === 'auraenabled')

function auraFields(cls: ClassDeclarationContext): Map<string, string> {
  const fields = new Map<string, string>()
  for (const decl of cls.classBody().classBodyDeclaration_list()) {
    const field = decl.memberDeclaration()?.fieldDeclaration()
    if (!field || !isAura(decl.modifier_list())) continue
    for (const v of field.variableDeclarators().variableDeclarator_list())
      fields.set(v.id().getText(), field.typeRef().getText())
  }
  return fields
}

/** Parses an Apex class (with the project's parser) into what the LWCs can see of it. */
export function apexModel(source: string): ApexModel {
  const { parser } = ApexParserFactory.createLexerAndParser(source, new Throwing())
  const top = parser.compilationUnit().typeDeclaration().classDeclaration()
  const model: ApexModel = { name: top.id().getText(), methods: new Map(), inner: new Map() }
  for (const decl of top.classBody().classBodyDeclaration_list()) {
    const member = decl.memberDeclaration()
    const method = member?.methodDeclaration()
    if (method && isAura(decl.modifier_list())) {
      const params = method.formalParameters().formalParameterList()?.formalParameter_list() ?? []
      model.methods.set(method.id().getText(), {
        returns: method.typeRef()?.getText() ?? 'void',
        params: params.map((p) => ({ name: p.id().getText(), type: p.typeRef().getText() })),
      })
    }
    const inner = member?.classDeclaration()
    if (inner) model.inner.set(inner.id().getText(), auraFields(inner))
  }
  return model
}

const MODELS = new Map(
  filesUnder(SFDX, (n) => n.endsWith('.cls')).map((path) => {
    const model = apexModel(read(path))
    return [model.name, model] as const
  }),
)

interface ApexType {
  list: boolean
  owner: string
  inner: string
  fields: Map<string, string>
}

/** The Apex class a type names (`Preview`, `List<CatalogPrice>`, `AmendmentPublisher.Request`). */
function resolve(type: string, context: string): ApexType | undefined {
  const element = /^(?:List|Set)<(.+)>$/i.exec(type)?.[1]
  const name = element ?? type
  const [owner, inner] = name.includes('.') ? name.split('.') : [context, name]
  const fields = MODELS.get(owner ?? '')?.inner.get(inner ?? '')
  return fields && { list: element !== undefined, owner: owner ?? '', inner: inner ?? '', fields }
}

/** Problems of `value` as `type`; `seen` collects the keys shown per class, for coverage. */
export function shapeProblems(
  value: unknown,
  type: ApexType,
  where: string,
  seen: Map<string, Set<string>>,
): string[] {
  const items = type.list ? value : [value]
  if (!Array.isArray(items)) return [`${where} should be a list of ${type.inner}`]
  const problems: string[] = []
  items.forEach((item, i) => {
    const at = type.list ? `${where}[${i}]` : where
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      problems.push(`${at} should be a ${type.inner} object`)
      return
    }
    const shown = seen.get(`${type.owner}.${type.inner}`) ?? new Set<string>()
    seen.set(`${type.owner}.${type.inner}`, shown)
    for (const [key, field] of Object.entries(item)) {
      const fieldType = type.fields.get(key)
      if (fieldType === undefined) {
        problems.push(`${at}.${key} is not an @AuraEnabled field of ${type.owner}.${type.inner}`)
        continue
      }
      shown.add(key)
      const nested = resolve(fieldType, type.owner)
      if (nested && field !== null)
        problems.push(...shapeProblems(field, nested, `${at}.${key}`, seen))
    }
  })
  return problems
}

/** Fields of `type` (and of the classes inside it) that the fixture never shows. */
function unshown(
  type: ApexType,
  seen: Map<string, Set<string>>,
  done = new Set<string>(),
): string[] {
  const id = `${type.owner}.${type.inner}`
  if (done.has(id)) return []
  done.add(id)
  const shown = seen.get(id) ?? new Set<string>()
  return [...type.fields].flatMap(([name, fieldType]) => {
    const nested = resolve(fieldType, type.owner)
    return [
      ...(shown.has(name) ? [] : [`${id}.${name}`]),
      ...(nested ? unshown(nested, seen, done) : []),
    ]
  })
}

const IMPORT = /import\s+\w+\s+from\s+'@salesforce\/apex\/(\w+)\.(\w+)'/g
const BUNDLES = readdirSync(LWC).filter((name) => existsSync(join(LWC, name, `${name}.js`)))
const USES = BUNDLES.flatMap((bundle) =>
  [...read(join(LWC, bundle, `${bundle}.js`)).matchAll(IMPORT)].map(
    ([, cls, method]) => [bundle, cls ?? '', method ?? ''] as const,
  ),
)
const fixture = (bundle: string, name: string) =>
  join(LWC, bundle, '__tests__', 'data', `${name}.json`)

describe('LWC jest fixtures of Apex answers', () => {
  it('finds the Apex methods the components import', () => {
    expect(USES.map(([bundle, cls, method]) => `${bundle}:${cls}.${method}`)).toEqual(
      expect.arrayContaining([
        'amendSubscription:AmendmentController.getCatalog',
        'amendSubscription:AmendmentController.previewAmendment',
        'amendSubscription:AmendmentController.submitAmendment',
      ]),
    )
  })

  it.each(
    USES.map(([bundle, cls, method]) => [`${bundle}: ${cls}.${method}`, bundle, cls, method]),
  )(
    '%s: the answer fixture has the Apex shape, every field shown',
    (_name, bundle, cls, method) => {
      const declared = MODELS.get(cls)?.methods.get(method)
      expect(declared, `${cls}.${method} is an @AuraEnabled method`).toBeDefined()
      const type = resolve(declared?.returns ?? '', cls)
      if (!type) return
      const path = fixture(bundle, method)
      expect(existsSync(path), `${path} holds the mock of ${cls}.${method}`).toBe(true)
      const seen = new Map<string, Set<string>>()
      expect(shapeProblems(JSON.parse(read(path)), type, basename(path), seen)).toEqual([])
      expect(unshown(type, seen), `fields ${basename(path)} never shows`).toEqual([])
    },
  )

  it.each(
    USES.map(([bundle, cls, method]) => [`${bundle}: ${cls}.${method}`, bundle, cls, method]),
  )(
    '%s: parameter fixtures use only fields the Apex class declares',
    (_name, bundle, cls, method) => {
      for (const param of MODELS.get(cls)?.methods.get(method)?.params ?? []) {
        const type = resolve(param.type, cls)
        const path = fixture(bundle, `${method}.${param.name}`)
        if (!type || !existsSync(path)) continue
        expect(shapeProblems(JSON.parse(read(path)), type, basename(path), new Map())).toEqual([])
      }
    },
  )

  it('reports a key the class does not declare and a field a fixture never shows (so the checks can fail)', () => {
    const preview = resolve('Preview', 'AmendmentController')
    expect(preview?.fields.has('prorationDate')).toBe(true)
    const seen = new Map<string, Set<string>>()
    const problems = shapeProblems(
      { currencyIso: 'USD', proration_date: 1, lines: [{ description: 'x', periodstart: '' }] },
      preview as ApexType,
      'mock',
      seen,
    )
    expect(problems).toEqual([
      'mock.proration_date is not an @AuraEnabled field of AmendmentController.Preview',
      'mock.lines[0].periodstart is not an @AuraEnabled field of AmendmentController.PreviewLine',
    ])
    expect(unshown(preview as ApexType, seen)).toEqual(
      expect.arrayContaining([
        'AmendmentController.Preview.total',
        'AmendmentController.PreviewLine.amount',
      ]),
    )
  })
})
