// Runs node's built-in test runner over *.test.ts files (Node 20 has no glob support in --test).
// Usage: node scripts/run-tests.mjs [unit|integration|all]
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const scope = process.argv[2] ?? 'all';
// The fault suite (test/faults) takes several minutes: run by `npm run test:faults`, not by `all`.
const roots = {
  unit: ['services', 'topology', 'schemas', 'deploy', 'bench', 'scripts'],
  integration: ['test/integration'],
  all: ['services', 'topology', 'schemas', 'deploy', 'bench', 'scripts', 'test/integration'],
  faults: ['test/faults'],
}[scope];
if (!roots) {
  console.error(`unknown test scope "${scope}": use unit, integration, all or faults`);
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
// Unit tests are pure and run two files at a time (the machines have two cores); integration tests
// share one stack and run one file at a time.
const isIntegration = (file) => file.startsWith(join('test', 'integration')) || file.startsWith(join('test', 'faults'));
// An integration file exits once its tests are done even if a client left a socket open (a
// kafkajs connection has been seen to outlive its disconnect): a finished file must not hold the run.
const runs = [
  { files: files.filter((f) => !isIntegration(f)), concurrency: 2, extra: [] },
  { files: files.filter(isIntegration), concurrency: 1, extra: ['--test-force-exit'] },
].filter((r) => r.files.length > 0);
// The dashboard's browser test drives Debian's Chromium: installed here when missing (as root);
// otherwise that test says what to do.
if (runs.some((r) => r.files.some(isIntegration)))
  spawnSync('bash', ['deploy/local/ensure-chromium.sh'], { stdio: 'inherit' });
let status = 0;
for (const run of runs) {
  const result = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--test',
      `--test-concurrency=${run.concurrency}`,
      ...run.extra,
      '--test-reporter=spec',
      ...run.files,
    ],
    { stdio: 'inherit' },
  );
  status ||= result.status ?? 1;
}
process.exit(status);
