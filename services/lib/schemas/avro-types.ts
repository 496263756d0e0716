// Small readers over avsc's parsed types, shared by the codec and the compatibility check.
import type { Type, types } from 'avsc';

export type TypeKind =
  | 'null'
  | 'boolean'
  | 'int'
  | 'long'
  | 'float'
  | 'double'
  | 'bytes'
  | 'string'
  | 'record'
  | 'error'
  | 'enum'
  | 'fixed'
  | 'array'
  | 'map'
  | 'union';

/** The Avro kind of a parsed type; avsc spells unions 'union:unwrapped' or 'union:wrapped'. */
export function kind(type: Type): TypeKind {
  return (type.typeName.startsWith('union') ? 'union' : type.typeName) as TypeKind;
}

/** The name without its namespace: looper.Decision → Decision. */
export function shortName(name: string): string {
  return name.slice(name.lastIndexOf('.') + 1);
}

/** A short human rendering: `string`, `record Candidate`, `[null, double]`, `map<double>`. */
export function describeType(type: Type): string {
  switch (kind(type)) {
    case 'union':
      return `[${(type as types.UnwrappedUnionType).types.map(describeType).join(', ')}]`;
    case 'array':
      return `array<${describeType((type as types.ArrayType).itemsType)}>`;
    case 'map':
      return `map<${describeType((type as types.MapType).valuesType as Type)}>`;
    default:
      return type.name ? `${type.typeName} ${shortName(type.name)}` : type.typeName;
  }
}

/** Calls `visit` once for every type reachable from `type` (fields, branches, items, values). */
export function walkTypes(type: Type, visit: (type: Type) => void, seen = new Set<Type>()): void {
  if (seen.has(type)) return;
  seen.add(type);
  visit(type);
  switch (kind(type)) {
    case 'record':
    case 'error':
      for (const field of (type as types.RecordType).fields) walkTypes(field.type, visit, seen);
      break;
    case 'union':
      for (const branch of (type as types.UnwrappedUnionType).types) walkTypes(branch, visit, seen);
      break;
    case 'array':
      walkTypes((type as types.ArrayType).itemsType, visit, seen);
      break;
    case 'map':
      walkTypes((type as types.MapType).valuesType as Type, visit, seen);
      break;
    default:
      break;
  }
}
