// Regenerates the parts of the docs that come from code: the topology diagram in README.md and the
// output of `looper blueprint validate` on the invalid example in docs/blueprints.md. Usage: npm run docs
import { readFileSync, writeFileSync } from 'node:fs';
import { docBlocks } from './doc-blocks.js';

const files = new Map<string, string>();
for (const block of docBlocks()) {
  let text = files.get(block.file) ?? readFileSync(block.file, 'utf8');
  const from = text.indexOf(block.begin);
  const to = text.indexOf(block.end);
  if (from < 0 || to < from) throw new Error(`${block.file} lacks the ${block.begin} … ${block.end} markers`);
  text = text.slice(0, from) + block.begin + '\n' + block.body + text.slice(to);
  files.set(block.file, text);
}
for (const [file, text] of files) writeFileSync(file, text);
console.log(`updated the generated blocks of ${[...files.keys()].join(', ')}`);
