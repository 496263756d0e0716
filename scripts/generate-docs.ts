// Regenerates the parts of README.md that come from code: the topology diagram and the output of
// `looper blueprint validate` on the invalid example. Usage: npm run docs
import { readFileSync, writeFileSync } from 'node:fs';
import { readmeBlocks } from './readme-blocks.js';

const file = 'README.md';
let readme = readFileSync(file, 'utf8');
for (const block of readmeBlocks()) {
  const from = readme.indexOf(block.begin);
  const to = readme.indexOf(block.end);
  if (from < 0 || to < from) throw new Error(`${file} lacks the ${block.begin} … ${block.end} markers`);
  readme = readme.slice(0, from) + block.begin + '\n' + block.body + readme.slice(to);
}
writeFileSync(file, readme);
console.log(`updated the generated blocks of ${file}`);
