// One seeded run of the decision loop of test/integration/decision-loop.test.ts for one variant:
// the served version decides, sends teach the learner as services/trainer teaches it, and a new
// version is taken every `snapshotEvery` examples learned. Returns every version's figures; prints
// nothing (the caller reports).
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseBlueprintYaml } from '../../services/lib/blueprint/parse.js';
import type { Blueprint } from '../../services/lib/schemas/generated.js';
import type { FeatureValues } from '../../services/lib/feature-values.js';
import { featureSchemaFromBlueprint } from '../../services/lib/learners/feature-schema.js';
import { LogisticRegression } from '../../services/lib/learners/logistic.js';
import { decodeDense, type DenseModel } from '../../services/lib/learners/dense-format.js';
import { DenseScorer } from '../../services/lib/learners/dense-scorer.js';
import type { Scorer } from '../../services/lib/learners/contract.js';
import { choose } from '../../services/lib/decide/policy.js';
import { judgingWeight } from '../../services/lib/learners/training-weight.js';
import { meanNormalised } from '../../services/trainer/contender.js';
import { ReplayBuffer } from '../../services/trainer/replay-buffer.js';
import { createRandom, localHour, type Random } from '../../services/lib/simulator/index.js';
import { emptyTally, figures, tallyAdd, type Figures, type Tally } from './measures.js';
import type { Variant } from './variants.js';
import { SPEED, World } from './world.js';
import type { ClickModel } from './click-models.js';

export const EXPLORE = 0.04;
const REPLAY_CAPACITY = 20_000; // blueprint-trainer.ts
const REPLAY_RATIO = 3; // blueprint-trainer.ts
const LEARN_EVERY_MS = 500; // one trainer batch (learnQueued) per half second of arrivals
export const WARM_EXAMPLES = 2000;
const FALLBACK_SEND_SHARE = EXPLORE / 2; // before any model, a request is sent only by exploration
const JUDGED_WINDOW = 6000; // the integration test judges the last 6,000 decisions

export interface LoopOptions {
  /** Who clicks: the demo's world or the mis-specified one. */
  click: ClickModel;
  decisions: number;
  /** A version is taken every this many new examples learned. */
  snapshotEvery: number;
  /** A version serves from this many snapshot points after it was taken. */
  lag: number;
  /** Decisions per second of wall-clock (simulated) time. */
  dps: number;
  /** Called after every trainer batch with the learner's own figures on the population: slow, for one run. */
  onBatch?: (trace: BatchTrace) => void;
}

export interface BatchTrace {
  learned: number;
  batch: number;
  /** Examples in the batch sent by exploration (weight above 10). */
  explored: number;
  /** The batch's largest weight over its mean, as the variant weighs them. */
  maxOverMean: number;
  figures: Figures;
}

export interface SnapshotRecord {
  index: number;
  learnedExamples: number;
  /** The decision it starts serving at (#0: 0); null when it never served. */
  servedFrom: number | null;
  /** On every user at the time it starts serving. */
  population: Figures | null;
  /** On the decisions it served. */
  served: Figures | null;
}

export interface RunResult {
  variant: string;
  seed: number;
  seconds: number;
  snapshots: SnapshotRecord[];
  /** Every decision after the warm start's version stopped serving. */
  afterWarm: Figures;
  /** The last JUDGED_WINDOW decisions. */
  judged: Figures;
  learned: number;
}

interface Pending {
  x: FeatureValues;
  y: number;
  w: number;
  ts: number;
  at: number;
}

/** The blueprint of the integration test: the example's, with its short window, publishing and 4 % exploration. */
export function loopBlueprint(): Blueprint {
  const yaml = readFileSync(new URL('../../examples/notification_send.yaml', import.meta.url), 'utf8')
    .replace(/^blueprint: notification_send\b/m, 'blueprint: jitter_bench')
    .replace(/^ {2}window: 30m\b/m, '  window: 30s')
    .replace(/^ {2}publish_every: 30s\b/m, '  publish_every: 2s')
    .replace(/^ {2}explore: 10%/m, '  explore: 4%');
  const result = parseBlueprintYaml(yaml);
  if (!result.ok) throw new Error(`blueprint: ${JSON.stringify(result.problems)}`);
  return result.blueprint;
}

/** Decisions run in wall-clock time from a start hour that differs by seed (the hour of a CI run). */
export const runStart = (seed: number): number =>
  Date.UTC(2026, 10, 29) + ((seed * 7 + 3) % 24) * 3_600_000 + seed * 137_000;

type Optimised = { network: { optimizer: { learningRate: number } } };

export function setLearningRate(learner: LogisticRegression, rate: number): void {
  // DenseNetwork keeps its tf Adam optimizer private; AdamOptimizer reads this.learningRate at every step.
  const optimizer = (learner as unknown as Optimised).network.optimizer;
  if (typeof optimizer.learningRate !== 'number') throw new Error('the learner has no optimizer learningRate to set');
  optimizer.learningRate = rate;
}

/** Every user with their context at `nowMs`: requests are uniform over users, so this is the exact expectation then. */
export function populationFigures(world: World, scorer: Scorer, nowMs: number): Figures {
  const t = emptyTally();
  for (const u of world.sim.users) {
    const context = { hour: localHour(u.country, nowMs), platform: u.platform };
    tallyAdd(t, scorer.score(world.features(u.userId, context, nowMs)), world.truth(u.userId, context));
  }
  return figures(t);
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

export async function runOne(bp: Blueprint, variant: Variant, seed: number, options: LoopOptions): Promise<RunResult> {
  const { click, decisions, snapshotEvery, lag, dps, onBatch } = options;
  const started = performance.now();
  const t0 = runStart(seed);
  const warmMs = (WARM_EXAMPLES / (dps * FALLBACK_SEND_SHARE)) * 1000;
  const tStart = t0 - warmMs;
  const world = new World(1000 + seed, tStart, click);
  const random: Random = createRandom(seed).fork('loop');
  const schema = featureSchemaFromBlueprint(bp);
  const learner = new LogisticRegression(schema); // the trainer's own: createLearner('logistic', schema, task) with defaults
  const replay = new ReplayBuffer(REPLAY_CAPACITY);
  let learned = 0;
  let sinceSnapshot = 0;
  let ema: Float64Array[] | null = null;

  const learnBatch = (batch: Pending[], rate: number): void => {
    if (batch.length === 0) return;
    const xs = batch.map((p) => p.x);
    const ys = batch.map((p) => p.y);
    const ws = batch.map((p) => variant.weight(p.w));
    const ts = batch.map((p) => p.ts);
    setLearningRate(learner, rate);
    const replayed = replay.draw(xs.length * REPLAY_RATIO, bp.training.forgetHalfLifeMs);
    learner.learnMany(xs, ys, meanNormalised(ws));
    if (replayed.xs.length > 0) learner.learnMany(replayed.xs, replayed.ys, meanNormalised(replayed.ws));
    replay.remember({ xs, ys, ws }, ts);
    learned += batch.length;
    sinceSnapshot += batch.length;
    if (variant.emaExamples !== null) {
      const weights = decodeDense(learner.toArtifact()).weights;
      if (ema === null || learned < (variant.emaFrom ?? 0)) ema = weights.map((w) => Float64Array.from(w));
      else {
        const alpha = 1 - Math.exp(-batch.length / variant.emaExamples);
        weights.forEach((w, i) => {
          const e = ema![i]!;
          for (let j = 0; j < w.length; j++) e[j] = e[j]! + alpha * (w[j]! - e[j]!);
        });
      }
    }
  };

  const takeSnapshot = (): Scorer => {
    const model: DenseModel = decodeDense(learner.toArtifact());
    if (variant.emaExamples === null || ema === null) return new DenseScorer(model);
    return new DenseScorer({ ...model, weights: (ema as Float64Array[]).map((e) => Float32Array.from(e)) });
  };

  // 1. The warm start: fallback traffic, every request in it sent by exploration (propensity 0.02).
  {
    let batch: Pending[] = [];
    let nextLearn = tStart + LEARN_EVERY_MS;
    for (let i = 0; i < WARM_EXAMPLES; i++) {
      const t = tStart + (i * warmMs) / WARM_EXAMPLES;
      world.advance(t);
      if (t >= nextLearn) {
        learnBatch(batch, 0.01);
        batch = [];
        nextLearn += LEARN_EVERY_MS;
      }
      const request = world.sim.nextDecideRequest(t);
      const truth = world.truth(request.entity, request.context);
      const y = random.next() < truth ? 1 : 0;
      const w = judgingWeight(bp, { propensity: FALLBACK_SEND_SHARE, weight: 1 });
      batch.push({ x: world.features(request.entity, request.context, t), y, w, ts: t, at: t });
    }
    learnBatch(batch, 0.01);
  }
  sinceSnapshot = 0;

  // 2. The loop: the served version decides, sends teach the learner, versions every snapshotEvery examples.
  const snapshots: SnapshotRecord[] = [];
  const tallies: Tally[] = [];
  const scorers: Scorer[] = [];
  const open = (scorer: Scorer): void => {
    scorers.push(scorer);
    tallies.push(emptyTally());
    snapshots.push({
      index: scorers.length - 1,
      learnedExamples: learned,
      servedFrom: null,
      population: null,
      served: null,
    });
  };
  open(takeSnapshot());
  let serving = 0;
  snapshots[0]!.servedFrom = 0;
  snapshots[0]!.population = populationFigures(world, scorers[0]!, t0);
  const perDecision = new Float64Array(decisions * 2); // score, truth
  let firstAfterWarm = -1;
  let pending: Pending[] = [];
  let nextLearn = t0 + LEARN_EVERY_MS;
  for (let d = 0; d < decisions; d++) {
    const t = t0 + (d * 1000) / dps;
    world.advance(t);
    while (t >= nextLearn) {
      const ready = pending.filter((p) => p.at <= nextLearn);
      pending = pending.filter((p) => p.at > nextLearn);
      learnBatch(ready, variant.learningRate(learned));
      if (onBatch) {
        const ws = ready.map((p) => variant.weight(p.w));
        onBatch({
          learned,
          batch: ready.length,
          explored: ready.filter((p) => p.w > 10).length,
          maxOverMean: Math.max(...ws) / mean(ws),
          figures: populationFigures(world, new DenseScorer(decodeDense(learner.toArtifact())), nextLearn),
        });
      }
      if (sinceSnapshot >= snapshotEvery) {
        sinceSnapshot = 0;
        open(takeSnapshot());
        const next = scorers.length - 1 - lag;
        if (next > serving) {
          serving = next;
          snapshots[serving]!.servedFrom = d;
          snapshots[serving]!.population = populationFigures(world, scorers[serving]!, nextLearn);
          if (firstAfterWarm < 0) firstAfterWarm = d;
        }
      }
      nextLearn += LEARN_EVERY_MS;
    }
    const request = world.sim.nextDecideRequest(t);
    const x = world.features(request.entity, request.context, t);
    const score = scorers[serving]!.score(x);
    const truth = world.truth(request.entity, request.context);
    // Four draws per decision whatever happens, so every variant sees the same draws for the same decision.
    const u = [random.next(), random.next(), random.next(), random.next()] as const;
    let k = 0;
    const choice = choose(bp.decision, score, () => u[k++]!, variant.explore ?? EXPLORE);
    tallyAdd(tallies[serving]!, score, truth);
    perDecision[d * 2] = score;
    perDecision[d * 2 + 1] = truth;
    if (choice.action === bp.decision.actions[0]) {
      const y = u[2] < truth ? 1 : 0;
      const delay = (y === 1 ? world.sim.clickDelayMs(u[3]) : 30_000) / SPEED;
      pending.push({ x, y, w: judgingWeight(bp, { propensity: choice.propensity, weight: 1 }), ts: t, at: t + delay });
    }
  }
  snapshots.forEach((s, i) => (s.served = tallies[i]!.n > 0 ? figures(tallies[i]!) : null));
  const range = (from: number): Figures => {
    const t = emptyTally();
    for (let d = Math.max(0, from); d < decisions; d++) tallyAdd(t, perDecision[d * 2]!, perDecision[d * 2 + 1]!);
    return figures(t);
  };
  learner.dispose();
  return {
    variant: variant.name,
    seed,
    seconds: (performance.now() - started) / 1000,
    snapshots,
    afterWarm: range(firstAfterWarm < 0 ? decisions : firstAfterWarm),
    judged: range(decisions - JUDGED_WINDOW),
    learned,
  };
}
