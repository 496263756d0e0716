// Generates services/lib/schemas/generated.ts from the newest version of each schema in schemas/,
// so TypeScript types and the Avro schemas are declared once (in the .avsc files).
// Usage: npm run gen:types            (writes the file)
//        npm run gen:types -- --check  (exits 1 when the file is stale)
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { renderSchemaModule, type SchemaSource } from '../services/lib/schemas/codegen.js';

const schemasDir = 'schemas';
const outFile = 'services/lib/schemas/generated.ts';

export function loadSchemaSources(dir = schemasDir): SchemaSource[] {
  const sources: SchemaSource[] = [];
  for (const name of readdirSync(dir).sort()) {
    const folder = join(dir, name);
    if (!existsSync(folder) || !readdirSync(folder).some((f) => /^v\d+\.avsc$/.test(f))) continue;
    const versions = readdirSync(folder)
      .map((f) => /^v(\d+)\.avsc$/.exec(f)?.[1])
      .filter((v): v is string => v !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    const latest = versions[versions.length - 1]!;
    const schema = JSON.parse(readFileSync(join(folder, `v${latest}.avsc`), 'utf8'));
    sources.push({ name, version: latest, schema });
  }
  return sources;
}

const rendered = renderSchemaModule(loadSchemaSources());
if (process.argv.includes('--check')) {
  const current = existsSync(outFile) ? readFileSync(outFile, 'utf8') : '';
  if (current !== rendered) {
    console.error(`${outFile} is stale: run npm run gen:types`);
    process.exit(1);
  }
  console.log(`${outFile} is up to date`);
} else {
  writeFileSync(outFile, rendered);
  console.log(`wrote ${outFile}`);
}
