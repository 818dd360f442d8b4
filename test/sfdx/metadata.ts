/**
 * A read-only model of the objects and fields declared under sfdx/main/default/objects, for the
 * consistency checks (no XML library: the files are plain metadata with one element per line).
 */
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { DEFAULT, read, tag } from './project.ts'

export interface FieldMetadata {
  name: string
  xml: string
  type: string | undefined
}

export interface ObjectMetadata {
  name: string
  /** undefined for a standard object we only add fields to. */
  xml: string | undefined
  fields: Map<string, FieldMetadata>
}

export interface Relationship {
  name: string
  child: string
  field: string
  parent: string
}

export function loadObjects(): Map<string, ObjectMetadata> {
  const objects = new Map<string, ObjectMetadata>()
  const root = join(DEFAULT, 'objects')
  for (const name of readdirSync(root)) {
    const objectFile = join(root, name, `${name}.object-meta.xml`)
    const fieldsDir = join(root, name, 'fields')
    const fields = new Map<string, FieldMetadata>()
    if (existsSync(fieldsDir)) {
      for (const file of readdirSync(fieldsDir)) {
        const xml = read(join(fieldsDir, file))
        const fieldName = file.replace('.field-meta.xml', '')
        fields.set(fieldName, { name: fieldName, xml, type: tag(xml, 'type') })
      }
    }
    objects.set(name, { name, xml: existsSync(objectFile) ? read(objectFile) : undefined, fields })
  }
  return objects
}

export function relationships(objects: Map<string, ObjectMetadata>): Relationship[] {
  const found: Relationship[] = []
  for (const object of objects.values()) {
    for (const field of object.fields.values()) {
      const name = tag(field.xml, 'relationshipName')
      const parent = tag(field.xml, 'referenceTo')
      if (name && parent) found.push({ name, child: object.name, field: field.name, parent })
    }
  }
  return found
}

/** True when `Object.Field` names a declared field, or a standard (non-custom) field of a declared object. */
export function hasField(
  objects: Map<string, ObjectMetadata>,
  object: string,
  field: string,
): boolean {
  const declared = objects.get(object)
  if (!field.endsWith('__c')) return declared !== undefined || !object.includes('__')
  return declared?.fields.has(field) ?? false
}
