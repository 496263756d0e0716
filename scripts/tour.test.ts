// The README's tour quotes tour.ts (after its two header lines): a reader who runs `npx tsx tour.ts`
// runs exactly what they read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const read = (file: string) => readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');

test('tour - the README quotes tour.ts as it is', () => {
  const readme = read('README.md');
  const quoted = /\(`tour\.ts` at the repository's root; `npx tsx tour\.ts`\):\n\n```ts\n([\s\S]*?)```\n/.exec(readme);
  assert.ok(quoted, "README.md's tour names tour.ts and quotes it in a ts block");
  const file = read('tour.ts').split('\n').slice(2).join('\n');
  assert.equal(quoted[1], file);
});
