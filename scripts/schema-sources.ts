// Reads the versioned schema files under schemas/<Name>/v<N>.avsc. File I/O only; the rendering
// and compatibility logic it feeds is pure (services/lib/schemas/).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Type } from 'avsc';
import type { SchemaSource } from '../services/lib/schemas/codegen.js';

export const schemasDir = 'schemas';

/** The folders under `dir` that hold at least one v<N>.avsc, sorted by name. */
export function schemaFolders(dir = schemasDir): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .filter((name) => statSync(join(dir, name)).isDirectory() && schemaVersions(join(dir, name)).length > 0);
}

/** The versions present in one schema folder, ascending (v1.avsc, v2.avsc … → [1, 2, …]). */
export function schemaVersions(folder: string): number[] {
  return readdirSync(folder)
    .map((f) => /^v(\d+)\.avsc$/.exec(f)?.[1])
    .filter((v): v is string => v !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

/** Parses one version's .avsc file. */
export function readSchema(name: string, version: number, dir = schemasDir): object {
  return JSON.parse(readFileSync(join(dir, name, `v${version}.avsc`), 'utf8')) as object;
}

/** The newest version of every schema: what generated.ts declares and the services register. */
export function loadSchemaSources(dir = schemasDir): SchemaSource[] {
  return schemaFolders(dir).map((name) => {
    const versions = schemaVersions(join(dir, name));
    const latest = versions[versions.length - 1]!;
    return { name, version: latest, schema: readSchema(name, latest, dir) };
  });
}

/** Where a version's golden fixtures live: the value as JSON and its exact Avro bytes as hex. */
export function fixturePaths(name: string, version: number, dir = schemasDir): { json: string; hex: string } {
  const base = join(dir, name, 'fixtures', `v${version}`);
  return { json: `${base}.json`, hex: `${base}.hex` };
}

/**
 * Reads a fixture's JSON. Bytes are written as Node's JSON form of a Buffer
 * (`{"type": "Buffer", "data": [...]}`), which is what JSON.stringify gives for a decoded value.
 */
export function readFixtureJson(name: string, version: number, dir = schemasDir): unknown {
  return JSON.parse(readFileSync(fixturePaths(name, version, dir).json, 'utf8'));
}

/** The value a fixture's JSON stands for, ready for `type.toBuffer` (JSON buffers become Buffers). */
export function fixtureValue(type: Type, json: unknown): unknown {
  return type.clone(json, { coerceBuffers: true });
}
