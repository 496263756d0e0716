// Runs node's built-in test runner over *.test.ts files (Node 20 has no glob support in --test).
// Usage: node scripts/run-tests.mjs [unit|integration|all]
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const scope = process.argv[2] ?? 'all';
const roots = { unit: ['services', 'topology', 'schemas', 'deploy', 'bench'], integration: ['test'], all: ['services', 'topology', 'schemas', 'deploy', 'bench', 'test'] }[scope];
if (!roots) {
  console.error(`unknown test scope "${scope}": use unit, integration or all`);
  process.exit(2);
}

function findTests(dir) {
  const found = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...findTests(path));
    else if (name.endsWith('.test.ts')) found.push(path);
  }
  return found;
}

const files = roots.flatMap((root) => findTests(root)).sort();
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
