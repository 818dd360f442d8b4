import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import ts from 'typescript'

/** Every TypeScript file below `dir`, as paths relative to the repository root. */
export function sourceFiles(dir: string): string[] {
  const out: string[] = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...sourceFiles(path))
    else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(path)
  }
  return out
}

export interface FunctionSpan {
  file: string
  name: string
  lines: number
}

const isFunction = (n: ts.Node) =>
  ts.isFunctionDeclaration(n) ||
  ts.isMethodDeclaration(n) ||
  ts.isConstructorDeclaration(n) ||
  ts.isArrowFunction(n) ||
  ts.isFunctionExpression(n) ||
  ts.isGetAccessorDeclaration(n) ||
  ts.isSetAccessorDeclaration(n)

function nameOf(n: ts.Node, source: ts.SourceFile): string {
  const named = n as ts.Node & { name?: ts.Node }
  if (named.name) return named.name.getText(source)
  if (ts.isConstructorDeclaration(n)) return 'constructor'
  const parent = n.parent
  if (parent && ts.isVariableDeclaration(parent)) return parent.name.getText(source)
  if (parent && ts.isPropertyAssignment(parent)) return parent.name.getText(source)
  return '(anonymous)'
}

/** Each function's length in lines, from its first line to its last (its body included). */
export function functionSpans(file: string, root: string): FunctionSpan[] {
  const text = readFileSync(file, 'utf8')
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)
  const spans: FunctionSpan[] = []
  const visit = (n: ts.Node) => {
    if (isFunction(n)) {
      const start = source.getLineAndCharacterOfPosition(n.getStart(source)).line
      const end = source.getLineAndCharacterOfPosition(n.getEnd()).line
      spans.push({ file: relative(root, file), name: nameOf(n, source), lines: end - start + 1 })
    }
    ts.forEachChild(n, visit)
  }
  visit(source)
  return spans
}

/** The relative imports of a file (type-only ones included), resolved to repository paths. */
export function importsOf(file: string, root: string): string[] {
  const text = readFileSync(file, 'utf8')
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)
  const out: string[] = []
  for (const statement of source.statements) {
    const spec =
      (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) &&
      statement.moduleSpecifier &&
      ts.isStringLiteral(statement.moduleSpecifier)
        ? statement.moduleSpecifier.text
        : undefined
    if (spec?.startsWith('.')) out.push(relative(root, join(file, '..', spec)))
  }
  return out
}
