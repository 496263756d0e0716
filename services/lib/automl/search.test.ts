// The search against a full grid over the same space, on a generated task with a known shape: a
// disk of positives, which trees can carve and a linear model cannot.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FeatureValues } from '../feature-values.js';
import { initBackend } from '../learners/backend.js';
import { featureSchema } from '../learners/feature-schema.js';
import { SeededRandom } from '../learners/random.js';
import { splitByTime, type TimedExample } from './dataset.js';
import { choose } from './pareto.js';
import { runSearch } from './search.js';
import { gridOf, type SearchSpace } from './space.js';
import { runTrial, type TrialInput } from './trial.js';

before(async () => {
  await initBackend();
});

function diskExamples(n: number, seed: number): TimedExample[] {
  const random = new SeededRandom(seed);
  return Array.from({ length: n }, (_, i) => {
    const x = random.uniform(-1, 1);
    const y = random.uniform(-1, 1);
    const inside = x * x + y * y < 0.5;
    const label = random.next() < 0.1 ? (inside ? 0 : 1) : inside ? 1 : 0;
    const features: FeatureValues = { x, y, noise: random.normal() };
    return { decisionTs: 1_700_000_000_000 + i * 1000, entity: `user-${i}`, features, label, weight: 1 };
  });
}

const schema = featureSchema([
  { name: 'x', kind: 'numeric' },
  { name: 'y', kind: 'numeric' },
  { name: 'noise', kind: 'numeric' },
]);
const space: SearchSpace = [
  { family: 'logistic', params: { learningRate: { kind: 'float', low: 0.003, high: 0.1, log: true } } },
  {
    family: 'gbdt',
    params: {
      nTrees: { kind: 'int', low: 5, high: 80, log: true },
      maxDepth: { kind: 'int', low: 1, high: 4 },
      learningRate: { kind: 'float', low: 0.03, high: 0.3, log: true },
    },
  },
];
const split = splitByTime(diskExamples(9000, 7));
const input: TrialInput = {
  schema,
  task: 'classification',
  train: split.train,
  validation: split.validation,
  metric: 'auc',
  constraints: { p99InferenceUs: 10_000, modelSizeBytes: 10 * 1024 * 1024 },
  seed: 1,
};

test("automl - the choice is within 1 % of a full grid's best, from at most a quarter of its trials", async () => {
  const grid = gridOf(space, 4);
  const gridOutcomes = [];
  for (const config of grid) gridOutcomes.push(await runTrial(config, 1, input));
  const gridBest = choose(gridOutcomes)!;

  const budget = Math.floor(grid.length / 4);
  const result = await runSearch({ ...input, space, budget });
  assert.ok(
    result.leaderboard.length <= grid.length / 4,
    `${result.leaderboard.length} configurations tried, grid has ${grid.length}`,
  );
  assert.ok(result.chosen !== null);
  assert.ok(
    result.chosen.metricValue >= 0.99 * gridBest.metricValue,
    `search auc ${result.chosen.metricValue.toFixed(4)} (${result.chosen.config.family}) vs grid best ${gridBest.metricValue.toFixed(4)} (${gridBest.config.family})`,
  );
  // Trees can draw a disk; a linear boundary cannot, so the choice must be a tree model.
  assert.equal(result.chosen.config.family, 'gbdt');
  assert.ok(result.chosen.artifact !== null && result.chosen.rung === result.leaderboard[0]!.rung);
  assert.ok(result.front.some((r) => r.trial === result.chosen!.trial));
  assert.match(result.why, /gbdt has the best auc/);
});

test('automl - a configuration that breaks a hard constraint is never chosen', async () => {
  // A limit that the larger tree ensembles break and the smaller ones keep.
  const sizes = (
    await Promise.all(
      gridOf(space, 2)
        .filter((c) => c.family === 'gbdt')
        .map((c) => runTrial(c, 1, input)),
    )
  )
    .map((o) => o.sizeBytes)
    .sort((a, b) => a - b);
  const limit = sizes[Math.floor(sizes.length / 4)]!;
  const result = await runSearch({
    ...input,
    constraints: { ...input.constraints, modelSizeBytes: limit },
    space,
    budget: 12,
    seed: 3,
  });
  assert.ok(
    result.evaluations.some((r) => r.violations.length > 0),
    `some trial must break the ${limit} B limit, or the test proves nothing: ${result.evaluations.map((r) => r.sizeBytes).join(' ')}`,
  );
  assert.ok(result.chosen !== null);
  assert.ok(result.chosen.sizeBytes <= limit, `chosen ${result.chosen.sizeBytes} B over the ${limit} B limit`);
  assert.deepEqual(result.chosen.violations, []);
  for (const r of result.front) assert.ok(r.sizeBytes <= limit);
});

test('automl - nothing feasible: no choice, and the reason says what to relax', async () => {
  const result = await runSearch({
    ...input,
    constraints: { ...input.constraints, modelSizeBytes: 10 },
    space,
    budget: 3,
  });
  assert.equal(result.chosen, null);
  assert.match(
    result.why,
    /no trial is feasible among \d+: \d+ broke a constraint \(e\.g\. artifact .* over the 10 B limit\).*Relax objective\.constraints/,
  );
});

test('automl - a feature that does not pay for itself is dropped, one that does is kept', async () => {
  const result = await runSearch({
    ...input,
    space: [space[1]!],
    budget: 3,
    featureCosts: [
      { name: 'x', reads: 1 },
      { name: 'y', reads: 0 },
      { name: 'noise', reads: 1 },
    ],
  });
  assert.deepEqual(result.droppedFeatures, ['noise']);
  assert.deepEqual(
    result.featureSteps.map((s) => [s.feature, s.dropped]),
    [
      ['x', false],
      ['noise', true],
    ],
  );
  assert.deepEqual(
    result.schema.features.map((f) => f.name),
    ['x', 'y'],
  );
  assert.match(result.why, /reads 1 fewer stream feature \(noise\)/);
});
