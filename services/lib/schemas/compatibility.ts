// Schema evolution checks, done locally before a schema is registered (CONTRIBUTING.md habit 4).
// BACKWARD: a reader using the newer schema can read every record written with the older one,
// so consumers can be upgraded first. avsc's resolver decides; when it refuses, we walk both
// schemas to the first spot it cannot resolve and say where and why, with the fix.
import avro from 'avsc';
import type { Type, types } from 'avsc';
import { describeType as describe, kind, shortName } from './avro-types.js';

export type CompatibilityResult = { compatible: true } | { compatible: false; reason: string };

/** Whether readers using `newer` can read data written with `older` (Avro schema resolution). */
export function checkBackwardCompatible(newer: object, older: object): CompatibilityResult {
  const reader = parse(newer, 'newer');
  if (typeof reader === 'string') return { compatible: false, reason: reader };
  const writer = parse(older, 'older');
  if (typeof writer === 'string') return { compatible: false, reason: writer };
  try {
    reader.createResolver(writer);
    return { compatible: true };
  } catch (error) {
    const located = locate(reader, writer, reader.name ? shortName(reader.name) : describe(reader));
    const fallback = `cannot read older data: ${error instanceof Error ? error.message : String(error)}`;
    return { compatible: false, reason: located ?? fallback };
  }
}

function parse(schema: object, which: string): Type | string {
  try {
    return avro.Type.forSchema(schema as Parameters<typeof avro.Type.forSchema>[0]);
  } catch (error) {
    return `the ${which} schema is not valid Avro: ${error instanceof Error ? error.message : String(error)}`;
  }
}

function resolves(reader: Type, writer: Type): boolean {
  try {
    reader.createResolver(writer);
    return true;
  } catch {
    return false;
  }
}

/** The first unresolvable spot under `path`, explained; null when avsc's refusal is elsewhere. */
function locate(reader: Type, writer: Type, path: string, writerUnion?: Type): string | null {
  if (kind(writer) === 'union') {
    for (const branch of (writer as types.UnwrappedUnionType).types) {
      if (!resolves(reader, branch)) return locate(reader, branch, path, writer);
    }
    return null;
  }
  if (kind(reader) === 'union') {
    const branches = (reader as types.UnwrappedUnionType).types;
    const sameKind = branches.find((b) => kind(b) === kind(writer) && (!b.name || b.name === writer.name));
    if (sameKind) return locate(sameKind, writer, path);
    return `${path}: older data holds ${describe(writer)} here, which no branch of the newer ${describe(reader)} can read; add a branch for it`;
  }
  if (kind(reader) !== kind(writer) && !promotes(kind(writer), kind(reader))) {
    if (writerUnion) {
      return `${path}: older data may hold ${describe(writer)} here (a branch of ${describe(writerUnion)}), which the newer ${describe(reader)} cannot read; keep that branch`;
    }
    return `${path}: type changed from ${describe(writer)} to ${describe(reader)}, which cannot read older data; add a new field with a default instead`;
  }
  switch (kind(reader)) {
    case 'record':
    case 'error':
      return locateRecord(reader as types.RecordType, writer as types.RecordType, path);
    case 'enum': {
      if (!sameName(reader, writer)) return renamed(path, reader, writer);
      const readerSymbols = (reader as types.EnumType).symbols;
      const lost = (writer as types.EnumType).symbols.filter((s) => !readerSymbols.includes(s));
      return `${path}: enum ${shortName(reader.name ?? '')} dropped symbol(s) ${lost.join(', ')} that older data may hold; keep them or give the enum a default`;
    }
    case 'fixed':
      if (!sameName(reader, writer)) return renamed(path, reader, writer);
      return `${path}: fixed ${shortName(reader.name ?? '')} changed size from ${(writer as types.FixedType).size} to ${(reader as types.FixedType).size}`;
    case 'array':
      return locate((reader as types.ArrayType).itemsType, (writer as types.ArrayType).itemsType, `${path}[]`);
    case 'map':
      return locate(
        (reader as types.MapType).valuesType as Type,
        (writer as types.MapType).valuesType as Type,
        `${path}{}`,
      );
    default:
      return null;
  }
}

function locateRecord(reader: types.RecordType, writer: types.RecordType, path: string): string | null {
  if (!sameName(reader, writer)) return renamed(path, reader, writer);
  for (const field of reader.fields) {
    const names = [field.name, ...(field.aliases ?? [])];
    const source = writer.fields.find((f) => names.includes(f.name));
    if (!source) {
      if (field.defaultValue() === undefined) {
        return `${path}.${field.name}: field added without a default, so older records cannot be read; give it one (e.g. type ["null", ...] with "default": null)`;
      }
      continue;
    }
    if (!resolves(field.type, source.type)) return locate(field.type, source.type, `${path}.${field.name}`);
  }
  return null;
}

/** Avro's promotions: the writer's type on the left can be read as the reader's on the right. */
function promotes(writer: string, reader: string): boolean {
  const allowed: Record<string, string[]> = {
    int: ['long', 'float', 'double'],
    long: ['float', 'double'],
    float: ['double'],
    string: ['bytes'],
    bytes: ['string'],
  };
  return allowed[writer]?.includes(reader) ?? false;
}

function sameName(reader: Type, writer: Type): boolean {
  return reader.name === writer.name || (reader.aliases ?? []).includes(writer.name ?? '');
}

function renamed(path: string, reader: Type, writer: Type): string {
  return `${path}: ${reader.typeName} ${writer.name ?? ''} was renamed to ${reader.name ?? ''}; add "aliases": ["${writer.name ?? ''}"] to it`;
}
