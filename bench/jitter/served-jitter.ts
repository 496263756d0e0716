// How much the served snapshot's send rate and click share wander from version to version, and
// what would steady them: a seeded, in-process simulation of the decision loop of
// test/integration/decision-loop.test.ts (no services, no Kafka/NATS).
//
//   npx tsx bench/jitter/served-jitter.ts [--seeds 8] [--first-seed 1] [--decisions 50000]
//     [--snapshot-every 2000] [--variants now,ema-1k,...] [--lag 1] [--dps 400] [--settle 20000]
//     [--skip-reference] [--trace] [--out /tmp/served-jitter.json]
// e.g. the integration test's regime: --seeds 30 (about 11 min for every variant on one core);
// the settled loop: --seeds 20 --decisions 150000 --settle 20000 (about 23 min).
//
// What is real and what is modelled:
// - the learner is the repository's LogisticRegression (DenseLearner, TensorFlow.js on the backend
//   initBackend chooses: wasm here), fed as services/trainer feeds it: each arrival batch of new
//   examples is one learnMany with its training weights (trainingWeight: 1/propensity clipped at
//   1/propensity_clip) divided by their mean (contender.ts meanNormalised), then REPLAY_RATIO = 3
//   replayed examples per new one from a ReplayBuffer(20,000) with the blueprint's forget
//   half-life, also mean-normalised, then remembered (blueprint-trainer.ts learnQueued);
// - the policy is services/lib/decide/policy.ts `choose` on the example blueprint with explore 4 %
//   and threshold 0.3, as test/support/loop.ts makes it;
// - the world is services/lib/simulator (the demo's 2,000 users, 24 h of history, live events at
//   speed 20, decisions at 400/s of wall-clock time as the integration test drives it); stream
//   features come from observedStreamFeatures (the features service's stand-in);
// - labels: a sent request is clicked with its true probability; the example reaches the trainer
//   after the demo's outcome delay (click: exponential, mean 2 min / speed; no click: 30 s / speed);
//   the trainer learns what has arrived every 0.5 s;
// - versions: a snapshot is taken every --snapshot-every new examples learned; with --lag 1 (the
//   default) it serves from the next snapshot point on (the continuation gate holds a version for
//   about one publishing interval before it serves; the gate's verdict itself is not modelled: it
//   judges AUC, which a calibration shift does not change);
// - the start: 2,000 examples of fallback traffic (uniform random requests, each sent by
//   exploration with propensity 0.02, so all weigh alike), learned as above at rate 0.01 by every
//   variant; then the variants differ. Snapshot #0 (the warm start) is common to all and is left
//   out of the per-snapshot statistics.
//
// Variants change only the learning rate (set on the learner's own tf Adam optimizer — its
// learningRate field is read at every step), the example weights before mean-normalisation, or
// the served parameters (an exponential moving average of the learner's weights, read from its
// artifact; the averaged weights are served with the learner's current standardisation).
//
// Each snapshot is judged two ways: on the whole population at the time it starts serving (every
// user with their context then: requests are uniform over users, so this is the exact expectation
// for that instant, free of sampling noise), and on the decisions it actually served (what the
// integration test prints per version). Figures: send rate − oracle send rate (oracle: truth ≥ 0.3)
// and click share = Σ truth over the requests it sends to / Σ truth over those the oracle sends to.
import { parseArgs } from 'node:util';
import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseBlueprintYaml } from '../../services/lib/blueprint/parse.js';
import type { Blueprint } from '../../services/lib/schemas/generated.js';
import type { FeatureValues } from '../../services/lib/feature-values.js';
import { featureSchemaFromBlueprint } from '../../services/lib/learners/feature-schema.js';
import { LogisticRegression } from '../../services/lib/learners/logistic.js';
import { initBackend } from '../../services/lib/learners/backend.js';
import { decodeDense, type DenseModel } from '../../services/lib/learners/dense-format.js';
import { DenseScorer } from '../../services/lib/learners/dense-scorer.js';
import type { Scorer } from '../../services/lib/learners/contract.js';
import { choose } from '../../services/lib/decide/policy.js';
import { trainingWeight } from '../../services/lib/learners/training-weight.js';
import { meanNormalised } from '../../services/trainer/contender.js';
import { ReplayBuffer } from '../../services/trainer/replay-buffer.js';
import {
  createRandom,
  createSimulator,
  localHour,
  observedStreamFeatures,
  type ProductEvent,
  type Random,
  type Simulator,
} from '../../services/lib/simulator/index.js';

// ---------------------------------------------------------------------------------------------
// Settings

const THRESHOLD = 0.3;
const EXPLORE = 0.04;
const USERS = 2000; // demoDefaults.users
const SPEED = 20; // demoDefaults.speed: live events and outcome delays run 20× faster
const HISTORY_HOURS = 24; // demoDefaults.historyHours
const REPLAY_CAPACITY = 20_000; // blueprint-trainer.ts
const REPLAY_RATIO = 3; // blueprint-trainer.ts
const LEARN_EVERY_MS = 500; // one trainer batch (learnQueued) per half second of arrivals
const WARM_EXAMPLES = 2000;
const FALLBACK_SEND_SHARE = EXPLORE / 2; // before any model, a request is sent only by exploration
const JUDGED_WINDOW = 6000; // the integration test judges the last 6,000 decisions

const { values: args } = parseArgs({
  options: {
    seeds: { type: 'string', default: '8' },
    'first-seed': { type: 'string', default: '1' },
    decisions: { type: 'string', default: '50000' },
    'snapshot-every': { type: 'string', default: '2000' },
    lag: { type: 'string', default: '1' },
    dps: { type: 'string', default: '400' },
    variants: { type: 'string', default: '' },
    out: { type: 'string', default: '/tmp/served-jitter.json' },
    backend: { type: 'string', default: '' },
    'skip-reference': { type: 'boolean', default: false },
    settle: { type: 'string', default: '0' },
    /** Prints, after every trainer batch, the learner's own (unaveraged) figures on the population: slow, for one run. */
    trace: { type: 'boolean', default: false },
  },
});
const SEEDS = Number(args.seeds);
const FIRST_SEED = Number(args['first-seed']);
const DECISIONS = Number(args.decisions);
const SNAPSHOT_EVERY = Number(args['snapshot-every']);
const LAG = Number(args.lag);
const DPS = Number(args.dps);
/** When > 0, a second table of the versions taken after this many examples were learned (the settled loop). */
const SETTLE = Number(args.settle);

// ---------------------------------------------------------------------------------------------
// Variants

interface Variant {
  readonly name: string;
  readonly note: string;
  /** Adam's step size for a learning call, given the new examples learned so far (warm start included). */
  readonly learningRate: (learned: number) => number;
  /** Served parameters: EMA of the weights with this time constant in new examples learned; null: the weights as they are. */
  readonly emaExamples: number | null;
  /** The average starts once this many examples were learned (warm start included); before, the weights serve as they are. Default 0. */
  readonly emaFrom?: number;
  /** The weight an example is learned (and remembered for replay) with, from its training weight 1/propensity. */
  readonly weight: (w: number) => number;
  /** The explore share of the live policy; default EXPLORE (the integration test's 4 %). */
  readonly explore?: number;
}

const constant = (rate: number) => () => rate;
const same = (w: number) => w;

const VARIANTS: readonly Variant[] = [
  {
    name: 'now',
    note: 'Adam 0.01, weights 1/p (≤ 100), snapshot served as is',
    learningRate: constant(0.01),
    emaExamples: null,
    weight: same,
  },
  {
    name: 'ema-1k',
    note: 'as now, served = EMA of the weights, time constant 1,000 examples',
    learningRate: constant(0.01),
    emaExamples: 1000,
    weight: same,
  },
  {
    name: 'ema-3k',
    note: 'as now, served = EMA of the weights, time constant 3,000 examples',
    learningRate: constant(0.01),
    emaExamples: 3000,
    weight: same,
  },
  {
    name: 'lr-0.003',
    note: 'Adam at a constant 0.003',
    learningRate: constant(0.003),
    emaExamples: null,
    weight: same,
  },
  {
    name: 'lr-0.001',
    note: 'Adam at a constant 0.001',
    learningRate: constant(0.001),
    emaExamples: null,
    weight: same,
  },
  {
    name: 'lr-decay',
    note: 'Adam 0.01·√(2000/n), n = examples learned, floor 0.001',
    learningRate: (n) => Math.max(0.001, 0.01 * Math.sqrt(2000 / Math.max(2000, n))),
    emaExamples: null,
    weight: same,
  },
  {
    name: 'iw-cap-10',
    note: 'as now, weights capped at 10 (propensity clip 0.1)',
    learningRate: constant(0.01),
    emaExamples: null,
    weight: (w) => Math.min(w, 10),
  },
  {
    name: 'iw-sqrt',
    note: 'as now, weights √(1/p) (smoothed)',
    learningRate: constant(0.01),
    emaExamples: null,
    weight: (w) => Math.sqrt(w),
  },
  {
    name: 'unweighted',
    note: 'as now, every example weighs 1 (reference: the old bias)',
    learningRate: constant(0.01),
    emaExamples: null,
    weight: () => 1,
  },
  {
    name: 'lr-0.003+ema-1k',
    note: 'Adam 0.003 and served = EMA (1,000)',
    learningRate: constant(0.003),
    emaExamples: 1000,
    weight: same,
  },
  {
    name: 'lr-0.003+iw-sqrt',
    note: 'Adam 0.003 and weights √(1/p)',
    learningRate: constant(0.003),
    emaExamples: null,
    weight: (w) => Math.sqrt(w),
  },
  {
    name: 'iw-cap-10+ema-1k',
    note: 'weights capped at 10 and served = EMA (1,000)',
    learningRate: constant(0.01),
    emaExamples: 1000,
    weight: (w) => Math.min(w, 10),
  },
  {
    name: 'iw-sqrt+ema-3k-after-20k',
    note: 'weights √(1/p); served = EMA (3,000) once 20,000 examples were learned',
    learningRate: constant(0.01),
    emaExamples: 3000,
    emaFrom: 20_000,
    weight: (w) => Math.sqrt(w),
  },
  {
    name: 'iw-cap-10+lr-0.003-after-20k',
    note: 'weights capped at 10; Adam 0.01, then 0.003 once 20,000 examples were learned',
    learningRate: (n) => (n < 20_000 ? 0.01 : 0.003),
    emaExamples: null,
    weight: (w) => Math.min(w, 10),
  },
  {
    name: 'explore-10%',
    note: 'as now, but the live policy explores 10 % (weights up to 1/0.05 = 20)',
    learningRate: constant(0.01),
    emaExamples: null,
    weight: same,
    explore: 0.1,
  },
];

// ---------------------------------------------------------------------------------------------
// The blueprint of the integration test

function loopBlueprint(): Blueprint {
  const yaml = readFileSync(new URL('../../examples/notification_send.yaml', import.meta.url), 'utf8')
    .replace(/^blueprint: notification_send\b/m, 'blueprint: jitter_bench')
    .replace(/^ {2}window: 30m\b/m, '  window: 30s')
    .replace(/^ {2}publish_every: 30s\b/m, '  publish_every: 2s')
    .replace(/^ {2}explore: 10%/m, '  explore: 4%');
  const result = parseBlueprintYaml(yaml);
  if (!result.ok) throw new Error(`blueprint: ${JSON.stringify(result.problems)}`);
  return result.blueprint;
}

// ---------------------------------------------------------------------------------------------
// The world: simulator, per-user events, features

class World {
  readonly sim: Simulator;
  private readonly events = new Map<string, ProductEvent[]>();
  private readonly eventsPerSecond: number;
  private eventClock: number;
  private eventCarry = 0;

  constructor(seed: number, startMs: number) {
    this.sim = createSimulator({ seed, users: USERS });
    for (const u of this.sim.users) this.events.set(u.userId, []);
    for (const e of this.sim.eventsBetween(startMs - HISTORY_HOURS * 3_600_000, startMs)) this.add(e);
    this.eventsPerSecond = (this.sim.users.reduce((s, u) => s + u.opensPerDay + u.sessionsPerDay, 0) / 86_400) * SPEED;
    this.eventClock = startMs;
  }

  private add(e: ProductEvent): void {
    this.events.get(e.key)?.push(e);
  }

  /** Live events up to `nowMs`, in 100 ms ticks as the demo publishes them. */
  advance(nowMs: number): void {
    while (this.eventClock + 100 <= nowMs) {
      this.eventClock += 100;
      this.eventCarry += this.eventsPerSecond * 0.1;
      const count = Math.floor(this.eventCarry);
      this.eventCarry -= count;
      if (count > 0) for (const e of this.sim.nextEvents(this.eventClock, count)) this.add(e);
    }
  }

  features(entity: string, context: { hour: number; platform: string }, nowMs: number): FeatureValues {
    const s = observedStreamFeatures(this.events.get(entity) ?? [], nowMs);
    return {
      hour: context.hour,
      platform: context.platform,
      opens_1d: s.opens_1d,
      session_mean_7d: s.session_mean_7d,
      session_ewma: s.session_ewma,
      last_country: s.last_country,
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Measures

interface Tally {
  n: number;
  modelSends: number;
  oracleSends: number;
  modelTruth: number;
  oracleTruth: number;
  scoreSum: number;
  truthSum: number;
  /** Σ (truth − threshold) where the model sends, and where the oracle sends: net clicks (services/demo/scoreboard.ts). */
  modelNet: number;
  oracleNet: number;
}

const emptyTally = (): Tally => ({
  n: 0,
  modelSends: 0,
  oracleSends: 0,
  modelTruth: 0,
  oracleTruth: 0,
  scoreSum: 0,
  truthSum: 0,
  modelNet: 0,
  oracleNet: 0,
});

function tallyAdd(t: Tally, score: number, truth: number): void {
  t.n++;
  t.scoreSum += score;
  t.truthSum += truth;
  if (score >= THRESHOLD) {
    t.modelSends++;
    t.modelTruth += truth;
    t.modelNet += truth - THRESHOLD;
  }
  if (truth >= THRESHOLD) {
    t.oracleSends++;
    t.oracleTruth += truth;
    t.oracleNet += truth - THRESHOLD;
  }
}

interface Figures {
  sendRate: number;
  oracleSendRate: number;
  /** sendRate − oracleSendRate */
  gap: number;
  /** Σ truth where the model sends / Σ truth where the oracle sends */
  share: number;
  /** net clicks where the model sends / where the oracle sends (at most 1) */
  netShare: number;
  /** mean score − mean truth (calibration in the large) */
  bias: number;
  n: number;
}

function figures(t: Tally): Figures {
  return {
    sendRate: t.modelSends / t.n,
    oracleSendRate: t.oracleSends / t.n,
    gap: (t.modelSends - t.oracleSends) / t.n,
    share: t.modelTruth / t.oracleTruth,
    netShare: t.modelNet / t.oracleNet,
    bias: (t.scoreSum - t.truthSum) / t.n,
    n: t.n,
  };
}

// ---------------------------------------------------------------------------------------------
// One run

interface SnapshotRecord {
  index: number;
  learnedExamples: number;
  /** On every user at the time it starts serving. */
  population: Figures | null;
  /** On the decisions it served. */
  served: Figures | null;
}

interface RunResult {
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

type Optimised = { network: { optimizer: { learningRate: number } } };

function setLearningRate(learner: LogisticRegression, rate: number): void {
  // DenseNetwork keeps its tf Adam optimizer private; AdamOptimizer reads this.learningRate at every step.
  const optimizer = (learner as unknown as Optimised).network.optimizer;
  if (typeof optimizer.learningRate !== 'number') throw new Error('the learner has no optimizer learningRate to set');
  optimizer.learningRate = rate;
}

async function runOne(bp: Blueprint, variant: Variant, seed: number): Promise<RunResult> {
  const started = performance.now();
  // Decisions run in wall-clock time from a start hour that differs by seed (the hour of a CI run).
  const t0 = Date.UTC(2026, 10, 29) + ((seed * 7 + 3) % 24) * 3_600_000 + seed * 137_000;
  const warmMs = (WARM_EXAMPLES / (DPS * FALLBACK_SEND_SHARE)) * 1000;
  const tStart = t0 - warmMs;
  const world = new World(1000 + seed, tStart);
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

  const populationFigures = (scorer: Scorer, nowMs: number): Figures => {
    const t = emptyTally();
    for (const u of world.sim.users) {
      const context = { hour: localHour(u.country, nowMs), platform: u.platform };
      const x = world.features(u.userId, context, nowMs);
      tallyAdd(t, scorer.score(x), world.sim.clickProbability(u.userId, context));
    }
    return figures(t);
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
      const truth = world.sim.clickProbability(request.entity, request.context);
      const y = random.next() < truth ? 1 : 0;
      const w = trainingWeight(bp, { propensity: FALLBACK_SEND_SHARE, weight: 1 });
      batch.push({ x: world.features(request.entity, request.context, t), y, w, ts: t, at: t });
    }
    learnBatch(batch, 0.01);
  }
  sinceSnapshot = 0;

  // 2. The loop: the served version decides, sends teach the learner, versions every SNAPSHOT_EVERY examples.
  const snapshots: SnapshotRecord[] = [];
  const tallies: Tally[] = [];
  const scorers: Scorer[] = [];
  const open = (scorer: Scorer): void => {
    scorers.push(scorer);
    tallies.push(emptyTally());
    snapshots.push({ index: scorers.length - 1, learnedExamples: learned, population: null, served: null });
  };
  open(takeSnapshot());
  let serving = 0;
  snapshots[0]!.population = populationFigures(scorers[0]!, t0);
  const perDecision = new Float64Array(DECISIONS * 2); // score, truth
  let firstAfterWarm = -1;
  let pending: Pending[] = [];
  let nextLearn = t0 + LEARN_EVERY_MS;
  for (let d = 0; d < DECISIONS; d++) {
    const t = t0 + (d * 1000) / DPS;
    world.advance(t);
    while (t >= nextLearn) {
      const ready = pending.filter((p) => p.at <= nextLearn);
      pending = pending.filter((p) => p.at > nextLearn);
      learnBatch(ready, variant.learningRate(learned));
      if (args.trace) {
        const f = populationFigures(new DenseScorer(decodeDense(learner.toArtifact())), nextLearn);
        const ws = ready.map((p) => variant.weight(p.w));
        console.log(
          `trace ${learned} examples: batch ${ready.length} (explored sends ${ready.filter((p) => p.w > 10).length}, max weight / mean ${(Math.max(...ws) / mean(ws)).toFixed(1)}), gap ${signed(f.gap)}, bias ${signed(f.bias)}`,
        );
      }
      if (sinceSnapshot >= SNAPSHOT_EVERY) {
        sinceSnapshot = 0;
        open(takeSnapshot());
        const next = scorers.length - 1 - LAG;
        if (next > serving) {
          serving = next;
          snapshots[serving]!.population = populationFigures(scorers[serving]!, nextLearn);
          if (firstAfterWarm < 0) firstAfterWarm = d;
        }
      }
      nextLearn += LEARN_EVERY_MS;
    }
    const request = world.sim.nextDecideRequest(t);
    const x = world.features(request.entity, request.context, t);
    const score = scorers[serving]!.score(x);
    const truth = world.sim.clickProbability(request.entity, request.context);
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
      pending.push({ x, y, w: trainingWeight(bp, { propensity: choice.propensity, weight: 1 }), ts: t, at: t + delay });
    }
  }
  snapshots.forEach((s, i) => (s.served = tallies[i]!.n > 0 ? figures(tallies[i]!) : null));
  const range = (from: number): Figures => {
    const t = emptyTally();
    for (let d = Math.max(0, from); d < DECISIONS; d++) tallyAdd(t, perDecision[d * 2]!, perDecision[d * 2 + 1]!);
    return figures(t);
  };
  learner.dispose();
  return {
    variant: variant.name,
    seed,
    seconds: (performance.now() - started) / 1000,
    snapshots,
    afterWarm: range(firstAfterWarm < 0 ? DECISIONS : firstAfterWarm),
    judged: range(DECISIONS - JUDGED_WINDOW),
    learned,
  };
}

/**
 * The reference: the same logistic regression fitted offline to convergence on 30,000 uniformly
 * sampled requests of the run's own period (no feedback loop, no weights: every request sent),
 * 8 passes at 0.01 then 4 at 0.001 — what a settled model of this family gets — judged on the
 * population halfway through the run.
 */
async function runReference(bp: Blueprint, seed: number): Promise<{ seed: number; seconds: number; figures: Figures }> {
  const started = performance.now();
  const t0 = Date.UTC(2026, 10, 29) + ((seed * 7 + 3) % 24) * 3_600_000 + seed * 137_000;
  const runMs = (DECISIONS * 1000) / DPS;
  const world = new World(1000 + seed, t0);
  const random = createRandom(seed).fork('reference');
  const n = 30_000;
  const xs: FeatureValues[] = [];
  const ys: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = t0 + (i * runMs) / n;
    world.advance(t);
    const request = world.sim.nextDecideRequest(t);
    xs.push(world.features(request.entity, request.context, t));
    ys.push(random.next() < world.sim.clickProbability(request.entity, request.context) ? 1 : 0);
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
  const evalWorld = new World(1000 + seed, t0);
  evalWorld.advance(evalMs);
  const scorer = new DenseScorer(decodeDense(learner.toArtifact()));
  const t = emptyTally();
  for (const u of evalWorld.sim.users) {
    const context = { hour: localHour(u.country, evalMs), platform: u.platform };
    tallyAdd(
      t,
      scorer.score(evalWorld.features(u.userId, context, evalMs)),
      evalWorld.sim.clickProbability(u.userId, context),
    );
  }
  learner.dispose();
  return { seed, seconds: (performance.now() - started) / 1000, figures: figures(t) };
}

// ---------------------------------------------------------------------------------------------
// Summaries

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: readonly number[]) => {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
};
const pct = (x: number, digits = 1) => `${(x * 100).toFixed(digits)}`;
const signed = (x: number) => `${x >= 0 ? '+' : '−'}${pct(Math.abs(x))}`;

interface Spread {
  mean: number;
  sd: number;
  /** Mean over runs of the sd over one run's snapshots: the version-to-version jitter alone. */
  withinSd: number;
  min: number;
  max: number;
}

function spread(perRun: readonly (readonly number[])[]): Spread {
  const all = perRun.flat();
  return {
    mean: mean(all),
    sd: sd(all),
    withinSd: mean(perRun.filter((r) => r.length >= 2).map(sd)),
    min: Math.min(...all),
    max: Math.max(...all),
  };
}

interface Summary {
  variant: string;
  snapshots: number;
  seconds: number;
  /** |Δ gap| between successive versions of a run. */
  step: { mean: number; max: number };
  /** Each version on the whole population when it starts serving. */
  pop: { gap: Spread; absGap: number; share: Spread; net: Spread; bias: Spread };
  /** Each version on the decisions it served (versions that served ≥ 1,000). */
  served: { gap: Spread; share: Spread; net: Spread };
  /** Each run's last 6,000 decisions (the integration test's judged window). */
  judged: { gap: Spread; share: Spread; net: Spread };
}

/** Versions taken after `minLearned` examples (warm start included) count; #0, the common warm start, never does. */
function summarise(variant: string, runs: readonly RunResult[], minLearned = 0): Summary {
  // A version counts once it served (its population figure is set then).
  const counted = runs.map((r) =>
    r.snapshots.filter((s) => s.index > 0 && s.population !== null && s.learnedExamples >= minLearned),
  );
  const pop = counted.map((snaps) => snaps.map((s) => s.population!));
  const served = counted.map((snaps) =>
    snaps.map((s) => s.served).filter((f): f is Figures => f !== null && f.n >= 1000),
  );
  // The change of the send-rate gap from one version to the next (the test's "/3 sent 31.4 %, the next 36.7 %").
  const steps = pop.flatMap((fs) => fs.slice(1).map((f, i) => Math.abs(f.gap - fs[i]!.gap)));
  const of = (fs: readonly (readonly Figures[])[], pick: (f: Figures) => number) => spread(fs.map((r) => r.map(pick)));
  const judged = runs.map((r) => [r.judged]);
  return {
    variant,
    snapshots: pop.flat().length,
    seconds: runs.reduce((a, r) => a + r.seconds, 0),
    step: { mean: steps.length > 0 ? mean(steps) : NaN, max: steps.length > 0 ? Math.max(...steps) : NaN },
    pop: {
      gap: of(pop, (f) => f.gap),
      absGap: mean(pop.flat().map((f) => Math.abs(f.gap))),
      share: of(pop, (f) => f.share),
      net: of(pop, (f) => f.netShare),
      bias: of(pop, (f) => f.bias),
    },
    served: { gap: of(served, (f) => f.gap), share: of(served, (f) => f.share), net: of(served, (f) => f.netShare) },
    judged: { gap: of(judged, (f) => f.gap), share: of(judged, (f) => f.share), net: of(judged, (f) => f.netShare) },
  };
}

function table(summaries: readonly Summary[]): string {
  const lines = [
    '| variant | versions | gap: mean ± sd (within-run sd) [min, max] | mean abs gap | version-to-version abs Δgap: mean, max | click share: mean ± sd [min] | net share: mean ± sd [min] | bias | served decisions: gap ± sd, share ± sd [min] | last 6k: share mean [min], net [min] | time s |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const s of summaries) {
    const p = s.pop;
    lines.push(
      `| ${s.variant} | ${s.snapshots} | ${signed(p.gap.mean)} ± ${pct(p.gap.sd)} (${pct(p.gap.withinSd)}) [${signed(p.gap.min)}, ${signed(p.gap.max)}] | ${pct(p.absGap)} | ${pct(s.step.mean)}, ${pct(s.step.max)} | ${pct(p.share.mean)} ± ${pct(p.share.sd)} [${pct(p.share.min)}] | ${pct(p.net.mean)} ± ${pct(p.net.sd)} [${pct(p.net.min)}] | ${signed(p.bias.mean)} | ${signed(s.served.gap.mean)} ± ${pct(s.served.gap.sd)}, ${pct(s.served.share.mean)} ± ${pct(s.served.share.sd)} [${pct(s.served.share.min)}] | ${pct(s.judged.share.mean)} [${pct(s.judged.share.min)}], ${pct(s.judged.net.mean)} [${pct(s.judged.net.min)}] | ${s.seconds.toFixed(0)} |`,
    );
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const backend = await initBackend(args.backend ? { prefer: [args.backend as 'wasm' | 'cpu' | 'tensorflow'] } : {});
  const bp = loopBlueprint();
  const wanted = args.variants ? new Set(args.variants.split(',')) : null;
  const variants = VARIANTS.filter((v) => wanted === null || wanted.has(v.name));
  if (variants.length === 0)
    throw new Error(`no variant named ${args.variants}: ${VARIANTS.map((v) => v.name).join(', ')}`);
  console.log(
    `# backend ${backend}; ${SEEDS} seeds from ${FIRST_SEED}; ${DECISIONS} decisions at ${DPS}/s after a ${WARM_EXAMPLES}-example warm start; a snapshot every ${SNAPSHOT_EVERY} new examples, serving ${LAG} interval(s) later`,
  );
  const results: RunResult[] = [];
  const summaries: Summary[] = [];
  const settled: Summary[] = [];
  for (const variant of variants) {
    const runs: RunResult[] = [];
    for (let s = FIRST_SEED; s < FIRST_SEED + SEEDS; s++) {
      const r = await runOne(bp, variant, s);
      runs.push(r);
      const pops = r.snapshots.filter((x) => x.index > 0 && x.population !== null).map((x) => x.population!);
      console.log(
        `#   ${variant.name} seed ${s}: ${r.seconds.toFixed(1)} s, ${r.learned} examples, ${pops.length} versions; gaps ${pops.map((f) => signed(f.gap)).join(' ')}; shares ${pops.map((f) => pct(f.share, 0)).join(' ')}; last 6k share ${pct(r.judged.share)}, net ${pct(r.judged.netShare)}`,
      );
    }
    results.push(...runs);
    summaries.push(summarise(variant.name, runs));
    if (SETTLE > 0) settled.push(summarise(variant.name, runs, SETTLE));
    console.log(table(summaries.slice(-1)).split('\n').slice(2).join('\n'));
  }
  const reference: Awaited<ReturnType<typeof runReference>>[] = [];
  if (!args['skip-reference']) {
    for (let s = FIRST_SEED; s < FIRST_SEED + SEEDS; s++) reference.push(await runReference(bp, s));
    const f = reference.map((r) => r.figures);
    console.log(
      `# reference (logistic fitted offline to convergence on 30,000 unbiased examples): gap ${signed(mean(f.map((x) => x.gap)))} ± ${pct(sd(f.map((x) => x.gap)))}, click share ${pct(mean(f.map((x) => x.share)))} ± ${pct(sd(f.map((x) => x.share)))} (worst ${pct(Math.min(...f.map((x) => x.share)))}), net share ${pct(mean(f.map((x) => x.netShare)))}, bias ${signed(mean(f.map((x) => x.bias)))}; ${reference.reduce((a, r) => a + r.seconds, 0).toFixed(0)} s`,
    );
  }
  console.log('\n## every version after the warm start\n\n' + table(summaries));
  if (SETTLE > 0) console.log(`\n## versions taken after ${SETTLE} examples learned\n\n` + table(settled));
  console.log('\n' + variants.map((v) => `- ${v.name}: ${v.note}`).join('\n'));
  writeFileSync(
    args.out,
    JSON.stringify(
      {
        settings: { SEEDS, FIRST_SEED, DECISIONS, SNAPSHOT_EVERY, LAG, DPS, SETTLE, backend, WARM_EXAMPLES },
        summaries,
        settled,
        reference,
        results,
      },
      null,
      1,
    ),
  );
  console.log(`\n# every snapshot's figures: ${args.out}`);
}

await main();
