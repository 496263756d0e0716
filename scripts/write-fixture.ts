// (Re)writes the golden Avro bytes of a schema version from its JSON fixture, for schema authors:
//   npx tsx scripts/write-fixture.ts Decision 2
// reads schemas/Decision/fixtures/v2.json and writes schemas/Decision/fixtures/v2.hex.
// Tests never regenerate: they compare the encoding with the stored hex, so review the diff.
import { writeFileSync } from 'node:fs';
import avro from 'avsc';
import { fixturePaths, fixtureValue, readFixtureJson, readSchema } from './schema-sources.js';

const [name, versionArg] = process.argv.slice(2);
const version = Number(versionArg);
if (!name || !Number.isInteger(version) || version < 1) {
  console.error('usage: npx tsx scripts/write-fixture.ts NAME VERSION   (e.g. Decision 1)');
  process.exit(2);
}

const type = avro.Type.forSchema(readSchema(name, version) as Parameters<typeof avro.Type.forSchema>[0]);
const value = fixtureValue(type, readFixtureJson(name, version));
const problems: string[] = [];
type.isValid(value, { errorHook: (path) => problems.push(path.join('.') || '(root)') });
if (problems.length > 0) {
  console.error(`${name} v${version} fixture does not match the schema at: ${problems.join(', ')}`);
  process.exit(1);
}
const hex = type.toBuffer(value).toString('hex');
const { hex: hexPath } = fixturePaths(name, version);
writeFileSync(hexPath, `${hex}\n`);
console.log(`wrote ${hexPath} (${hex.length / 2} bytes)`);
