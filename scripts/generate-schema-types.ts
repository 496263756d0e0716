// Generates services/lib/schemas/generated.ts from the newest version of each schema in schemas/,
// so TypeScript types and the Avro schemas are declared once (in the .avsc files).
// Usage: npm run gen:types            (writes the file)
//        npm run gen:types -- --check  (exits 1 when the file is stale)
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { renderSchemaModule } from '../services/lib/schemas/codegen.js';
import { loadSchemaSources } from './schema-sources.js';

const outFile = 'services/lib/schemas/generated.ts';

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
