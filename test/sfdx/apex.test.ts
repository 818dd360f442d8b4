import { basename } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ApexErrorListener, ApexParserFactory } from '@apexdevtools/apex-parser'
import * as prettier from 'prettier'
import { SFDX, filesUnder, read, rel } from './project.ts'

const APEX = filesUnder(SFDX, (name) => name.endsWith('.cls') || name.endsWith('.trigger'))
const CLASSES = APEX.filter((path) => path.endsWith('.cls'))
const isTestClass = (source: string) =>
  /^\s*@IsTest\b/im.test(source.replace(/\/\*\*[\s\S]*?\*\//, ''))

class CollectingListener extends ApexErrorListener {
  readonly errors: string[] = []
  override apexSyntaxError(line: number, column: number, message: string): void {
    this.errors.push(`${line}:${column} ${message}`)
  }
}

function syntaxErrors(path: string): string[] {
  const listener = new CollectingListener()
  const { parser } = ApexParserFactory.createLexerAndParser(read(path), listener)
  if (path.endsWith('.trigger')) parser.triggerUnit()
  else parser.compilationUnit()
  return listener.errors
}

describe('Apex sources', () => {
  it('exist', () => {
    expect(APEX.length).toBeGreaterThan(0)
  })

  it.each(APEX.map((path) => [rel(path), path]))(
    '%s parses with no syntax errors',
    (_name, path) => {
      expect(syntaxErrors(path)).toEqual([])
    },
  )

  it.each(APEX.map((path) => [rel(path), path]))(
    '%s is formatted with prettier-plugin-apex',
    async (_name, path) => {
      const options = await prettier.resolveConfig(path)
      expect(await prettier.check(read(path), { ...options, filepath: path })).toBe(true)
    },
  )

  it('the parser reports a broken class (so the check above can fail)', () => {
    const listener = new CollectingListener()
    const { parser } = ApexParserFactory.createLexerAndParser(
      'public class Broken { void x( }',
      listener,
    )
    parser.compilationUnit()
    expect(listener.errors.length).toBeGreaterThan(0)
  })
})

describe('Apex conventions', () => {
  it.each(CLASSES.map((path) => [rel(path), path]))(
    '%s has ApexDoc with @description and @group',
    (_name, path) => {
      const doc = /\/\*\*([\s\S]*?)\*\//.exec(read(path))?.[1] ?? ''
      expect(doc).toMatch(/@description/)
      expect(doc).toMatch(/@group/)
    },
  )

  it.each(CLASSES.filter((path) => !isTestClass(read(path))).map((path) => [rel(path), path]))(
    '%s documents every public method and has a _Tests class',
    (_name, path) => {
      const source = read(path)
      const methods = [
        ...source.matchAll(
          /(\/\*\*[\s\S]*?\*\/\s*)?(?:@\w+(?:\([^)]*\))?\s*)*public\s+(?:static\s+)?[\w<>, .]+\s+(\w+)\s*\(/g,
        ),
      ]
      for (const [, doc, name] of methods) {
        expect(doc, `${name} needs ApexDoc`).toBeDefined()
        for (const needed of ['@description', '@example'])
          expect(doc, `${name} ApexDoc needs ${needed}`).toContain(needed)
      }
      const name = basename(path, '.cls')
      expect(CLASSES.map((p) => basename(p, '.cls'))).toContain(`${name}_Tests`)
    },
  )

  it.each(CLASSES.filter((path) => path.endsWith('_Tests.cls')).map((path) => [rel(path), path]))(
    '%s names tests test<Behaviour>Positive/Negative, brackets the call and explains every assert',
    (_name, path) => {
      const source = read(path)
      const tests = [
        ...source.matchAll(/@IsTest\s+static\s+void\s+(\w+)\s*\(\)\s*\{([\s\S]*?)\n {2}\}/g),
      ]
      expect(tests.length).toBeGreaterThan(0)
      for (const [, name, body] of tests) {
        expect(name).toMatch(/^test[A-Z]\w*(Positive|Negative)\w*$/)
        expect(body, `${name} uses Test.startTest/stopTest`).toMatch(
          /Test\.startTest\(\);[\s\S]*Test\.stopTest\(\);/,
        )
      }
      const asserts = [...source.matchAll(/Assert\.\w+\(([\s\S]*?)\);/g)].map((m) => m[1] ?? '')
      expect(asserts.length).toBeGreaterThan(0)
      for (const args of asserts) expect(args, 'assert message').toMatch(/'Expected[^']*/)
    },
  )
})
