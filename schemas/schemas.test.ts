// Every schema version under schemas/ is checked here, including ones added later: it parses,
// follows the layout conventions, matches its golden fixtures byte for byte, and can read the
// version before it. Fixtures are never regenerated here: scripts/write-fixture.ts does that.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import avro from 'avsc';
import { renderSchemaModule } from '../services/lib/schemas/codegen.js';
import { checkBackwardCompatible } from '../services/lib/schemas/compatibility.js';
import {
  fixturePaths,
  fixtureValue,
  loadSchemaSources,
  readFixtureJson,
  readSchema,
  schemaFolders,
  schemaVersions,
} from '../scripts/schema-sources.js';

const schemasDir = fileURLToPath(new URL('.', import.meta.url));
const generatedFile = fileURLToPath(new URL('../services/lib/schemas/generated.ts', import.meta.url));

type AvroJson = string | AvroJson[] | { [key: string]: unknown };

function parse(schema: object): avro.Type {
  return avro.Type.forSchema(schema as Parameters<typeof avro.Type.forSchema>[0]);
}

/** The JSON a decoded value stands for: Buffers become {"type":"Buffer","data":[...]} like in fixtures. */
function asJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

/** Every named type (record, enum, fixed) defined inline in a schema, by short name. */
function namedDefinitions(schema: AvroJson, found: Map<string, string>): Map<string, string> {
  if (Array.isArray(schema)) {
    for (const branch of schema) namedDefinitions(branch, found);
  } else if (typeof schema === 'object') {
    const type = schema['type'];
    if (
      (type === 'record' || type === 'error' || type === 'enum' || type === 'fixed') &&
      typeof schema['name'] === 'string'
    ) {
      found.set(schema['name'].slice(schema['name'].lastIndexOf('.') + 1), JSON.stringify(schema));
    }
    if (type === 'record' || type === 'error') {
      for (const field of schema['fields'] as Array<{ type: AvroJson }>) namedDefinitions(field.type, found);
    } else if (type === 'array') {
      namedDefinitions(schema['items'] as AvroJson, found);
    } else if (type === 'map') {
      namedDefinitions(schema['values'] as AvroJson, found);
    } else if (typeof type === 'object') {
      namedDefinitions(type as AvroJson, found);
    }
  }
  return found;
}

/** Paths of record fields without a doc, e.g. ["Decision.candidates.id"]. */
function undocumentedFields(schema: AvroJson, path: string, missing: string[] = []): string[] {
  if (Array.isArray(schema)) {
    for (const branch of schema) undocumentedFields(branch, path, missing);
  } else if (typeof schema === 'object') {
    const type = schema['type'];
    if (type === 'record' || type === 'error') {
      for (const field of schema['fields'] as Array<{ name: string; type: AvroJson; doc?: unknown }>) {
        const fieldPath = `${path}.${field.name}`;
        if (typeof field.doc !== 'string' || field.doc.trim() === '') missing.push(fieldPath);
        undocumentedFields(field.type, fieldPath, missing);
      }
    } else if (type === 'array') {
      undocumentedFields(schema['items'] as AvroJson, path, missing);
    } else if (type === 'map') {
      undocumentedFields(schema['values'] as AvroJson, path, missing);
    } else if (typeof type === 'object') {
      undocumentedFields(type as AvroJson, path, missing);
    }
  }
  return missing;
}

const folders = schemaFolders(schemasDir);

/** Every value the older record holds is in the newer one; fields added inside nested records (with their defaults) are allowed. */
function assertKeeps(newer: unknown, older: unknown, path: string): void {
  if (older !== null && typeof older === 'object' && newer !== null && typeof newer === 'object') {
    if (Array.isArray(older)) {
      assert.ok(
        Array.isArray(newer) && newer.length === older.length,
        `field ${path}: ${JSON.stringify(newer)} vs ${JSON.stringify(older)}`,
      );
      older.forEach((item, i) => assertKeeps((newer as unknown[])[i], item, `${path}[${i}]`));
      return;
    }
    for (const [key, value] of Object.entries(older)) {
      if (key in newer) assertKeeps((newer as Record<string, unknown>)[key], value, `${path}.${key}`);
    }
    return;
  }
  assert.deepEqual(newer, older, `field ${path}`);
}

describe('schemas', () => {
  it('schemas - every topic schema of Looper has a folder', () => {
    for (const name of [
      'Decision',
      'Outcome',
      'Example',
      'ModelVersion',
      'Deployment',
      'Metric',
      'Alert',
      'DeadLetter',
    ]) {
      assert.ok(folders.includes(name), `schemas/${name}/v1.avsc is missing`);
    }
  });

  for (const name of folders) {
    for (const version of schemaVersions(join(schemasDir, name))) {
      describe(`${name} v${version}`, () => {
        const schema = readSchema(name, version, schemasDir);

        it(`${name} v${version} - parses with avsc`, () => {
          assert.doesNotThrow(() => parse(schema));
        });

        it(`${name} v${version} - is a record looper.${name} and documents every field`, () => {
          const record = schema as { type?: unknown; name?: unknown; namespace?: unknown };
          assert.equal(record.type, 'record');
          assert.equal(record.name, name);
          assert.equal(record.namespace, 'looper');
          assert.deepEqual(undocumentedFields(schema as AvroJson, name), [], 'fields without a doc');
        });

        it(`${name} v${version} - encodes the golden fixture byte for byte`, () => {
          const paths = fixturePaths(name, version, schemasDir);
          assert.ok(existsSync(paths.json), `missing ${paths.json}`);
          assert.ok(
            existsSync(paths.hex),
            `missing ${paths.hex} (write it with: npx tsx scripts/write-fixture.ts ${name} ${version})`,
          );
          const type = parse(schema);
          const value = fixtureValue(type, readFixtureJson(name, version, schemasDir));
          const invalid: string[] = [];
          type.isValid(value, { errorHook: (path) => invalid.push(path.join('.')) });
          assert.deepEqual(invalid, [], 'fixture fields that do not match the schema');
          assert.equal(type.toBuffer(value).toString('hex'), readFileSync(paths.hex, 'utf8').trim());
        });

        it(`${name} v${version} - decodes the golden bytes to the fixture`, () => {
          const paths = fixturePaths(name, version, schemasDir);
          assert.ok(existsSync(paths.hex), `missing ${paths.hex}`);
          const bytes = Buffer.from(readFileSync(paths.hex, 'utf8').trim(), 'hex');
          assert.deepEqual(asJson(parse(schema).fromBuffer(bytes)), readFixtureJson(name, version, schemasDir));
        });

        if (version > 1) {
          it(`${name} v${version} - reads data written with v${version - 1} (BACKWARD compatible)`, () => {
            assert.deepEqual(checkBackwardCompatible(schema, readSchema(name, version - 1, schemasDir)), {
              compatible: true,
            });
          });

          it(`${name} v${version} - decodes the v${version - 1} golden bytes, keeping every field both versions have`, () => {
            const newer = parse(schema);
            const older = parse(readSchema(name, version - 1, schemasDir));
            const bytes = Buffer.from(
              readFileSync(fixturePaths(name, version - 1, schemasDir).hex, 'utf8').trim(),
              'hex',
            );
            const decoded = asJson(newer.fromBuffer(bytes, newer.createResolver(older))) as Record<string, unknown>;
            const olderFixture = readFixtureJson(name, version - 1, schemasDir) as Record<string, unknown>;
            for (const [field, value] of Object.entries(olderFixture)) {
              if (field in decoded) assertKeeps(decoded[field], value, field);
            }
          });
        }
      });
    }
  }

  it('schemas - a named type defined in several schemas has one definition (generated.ts declares it once)', () => {
    const seen = new Map<string, { owner: string; definition: string }>();
    for (const source of loadSchemaSources(schemasDir)) {
      for (const [typeName, definition] of namedDefinitions(source.schema as AvroJson, new Map())) {
        const earlier = seen.get(typeName);
        if (earlier) {
          assert.equal(
            definition,
            earlier.definition,
            `${typeName} differs between ${earlier.owner} and ${source.name}`,
          );
        } else {
          seen.set(typeName, { owner: source.name, definition });
        }
      }
    }
  });

  it('schemas - generated.ts is up to date (npm run gen:types)', () => {
    assert.equal(readFileSync(generatedFile, 'utf8'), renderSchemaModule(loadSchemaSources(schemasDir)));
  });
});

describe('compatibility', () => {
  const item = { type: 'record', name: 'Item', fields: [{ name: 'id', type: 'string' }] };
  const v1 = {
    type: 'record',
    name: 'Outcome',
    namespace: 'looper',
    fields: [
      { name: 'decisionId', type: 'string' },
      { name: 'value', type: 'int' },
      { name: 'kind', type: { type: 'enum', name: 'Kind', symbols: ['click', 'buy'] } },
      {
        name: 'items',
        type: ['null', { type: 'array', items: item }],
        default: null,
      },
    ],
  };
  const withField = (field: object) => ({ ...v1, fields: [...v1.fields, field] });
  const withFieldType = (name: string, type: unknown) => ({
    ...v1,
    fields: v1.fields.map((f) => (f.name === name ? { ...f, type } : f)),
  });

  it('compatibility - refuses a field added without a default, naming the field', () => {
    const result = checkBackwardCompatible(withField({ name: 'channel', type: 'string' }), v1);
    assert.equal(result.compatible, false);
    assert.match(!result.compatible ? result.reason : '', /^Outcome\.channel: field added without a default/);
  });

  it('compatibility - accepts a field added with a default', () => {
    assert.deepEqual(
      checkBackwardCompatible(withField({ name: 'channel', type: ['null', 'string'], default: null }), v1),
      {
        compatible: true,
      },
    );
  });

  it('compatibility - accepts removing a field and promoting int to double', () => {
    const newer = {
      ...v1,
      fields: v1.fields
        .filter((f) => f.name !== 'kind')
        .map((f) => (f.name === 'value' ? { ...f, type: 'double' } : f)),
    };
    assert.deepEqual(checkBackwardCompatible(newer, v1), { compatible: true });
  });

  it('compatibility - refuses a type change that cannot read older data, naming the field and both types', () => {
    const result = checkBackwardCompatible(withFieldType('value', 'string'), v1);
    assert.deepEqual(result, {
      compatible: false,
      reason:
        'Outcome.value: type changed from int to string, which cannot read older data; add a new field with a default instead',
    });
  });

  it('compatibility - refuses making a nullable field required', () => {
    const required = {
      ...v1,
      fields: v1.fields.map((f) => (f.name === 'items' ? { name: 'items', type: { type: 'array', items: item } } : f)),
    };
    const result = checkBackwardCompatible(required, v1);
    assert.equal(result.compatible, false);
    assert.match(
      !result.compatible ? result.reason : '',
      /^Outcome\.items: older data may hold null here \(a branch of \[null, array<record Item>\]\), which the newer array<record Item> cannot read/,
    );
  });

  it('compatibility - refuses dropping an enum symbol, naming it', () => {
    const result = checkBackwardCompatible(
      withFieldType('kind', { type: 'enum', name: 'Kind', symbols: ['click'] }),
      v1,
    );
    assert.equal(result.compatible, false);
    assert.match(!result.compatible ? result.reason : '', /^Outcome\.kind: enum Kind dropped symbol\(s\) buy/);
  });

  it('compatibility - finds a field added without a default inside a nested record', () => {
    const priced = { ...item, fields: [...item.fields, { name: 'price', type: 'double' }] };
    const result = checkBackwardCompatible(withFieldType('items', ['null', { type: 'array', items: priced }]), v1);
    assert.equal(result.compatible, false);
    assert.match(!result.compatible ? result.reason : '', /^Outcome\.items\[\]\.price: field added without a default/);
  });

  it('compatibility - refuses a renamed record unless it keeps the old name as an alias', () => {
    const renamed = { ...v1, name: 'Result' };
    const refused = checkBackwardCompatible(renamed, v1);
    assert.equal(refused.compatible, false);
    assert.match(
      !refused.compatible ? refused.reason : '',
      /renamed to looper\.Result; add "aliases": \["looper\.Outcome"\]/,
    );
    assert.deepEqual(checkBackwardCompatible({ ...renamed, aliases: ['looper.Outcome'] }, v1), { compatible: true });
  });

  it('compatibility - reports an invalid schema instead of throwing', () => {
    const result = checkBackwardCompatible(
      { type: 'record', name: 'Broken', fields: [{ name: 'x', type: 'nope' }] },
      v1,
    );
    assert.equal(result.compatible, false);
    assert.match(!result.compatible ? result.reason : '', /^the newer schema is not valid Avro: /);
  });
});
