// The reference a loop's versions are held to: the same logistic regression fitted offline to
// convergence on 30,000 uniformly sampled requests of the run's own period (no feedback loop, no
// weights: every request sent), 8 passes at 0.01 then 4 at 0.001 — what a settled model of this
// family gets — judged on the population halfway through the run.
import { performance } from 'node:perf_hooks';
import type { Blueprint } from '../../services/lib/schemas/generated.js';
import type { FeatureValues } from '../../services/lib/feature-values.js';
import { featureSchemaFromBlueprint } from '../../services/lib/learners/feature-schema.js';
import { LogisticRegression } from '../../services/lib/learners/logistic.js';
import { decodeDense } from '../../services/lib/learners/dense-format.js';
import { DenseScorer } from '../../services/lib/learners/dense-scorer.js';
import { createRandom } from '../../services/lib/simulator/index.js';
import type { Figures } from './measures.js';
import { populationFigures, runStart, setLearningRate } from './loop.js';
import { World } from './world.js';
import type { ClickModel } from './click-models.js';

export interface ReferenceResult {
  seed: number;
  seconds: number;
  figures: Figures;
}

/** `runMs`: the run's length in wall-clock time (its decisions over their rate). */
export async function runReference(
  bp: Blueprint,
  seed: number,
  runMs: number,
  click: ClickModel,
): Promise<ReferenceResult> {
  const started = performance.now();
  const t0 = runStart(seed);
  const world = new World(1000 + seed, t0, click);
  const random = createRandom(seed).fork('reference');
  const n = 30_000;
  const xs: FeatureValues[] = [];
  const ys: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = t0 + (i * runMs) / n;
    world.advance(t);
    const request = world.sim.nextDecideRequest(t);
    xs.push(world.features(request.entity, request.context, t));
    ys.push(random.next() < world.truth(request.entity, request.context) ? 1 : 0);
  }
  const evalMs = t0 + runMs / 2;
  const learner = new LogisticRegression(featureSchemaFromBlueprint(bp));
  const order = Array.from({ length: n }, (_, i) => i);
  for (let epoch = 0; epoch < 12; epoch++) {
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(random.next() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    setLearningRate(learner, epoch < 8 ? 0.01 : 0.001);
    learner.learnMany(
      order.map((i) => xs[i]!),
      order.map((i) => ys[i]!),
    );
  }
  // Population at the halfway time: the world's events up to then (advance is monotone, so a fresh world).
  const evalWorld = new World(1000 + seed, t0, click);
  evalWorld.advance(evalMs);
  const result = populationFigures(evalWorld, new DenseScorer(decodeDense(learner.toArtifact())), evalMs);
  learner.dispose();
  return { seed, seconds: (performance.now() - started) / 1000, figures: result };
}
