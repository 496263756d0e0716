// How much the served snapshot's send rate and click share wander from version to version, and
// what would steady them: a seeded, in-process simulation of the decision loop of
// test/integration/decision-loop.test.ts (no services, no Kafka/NATS).
//
//   npx tsx bench/jitter/served-jitter.ts [--world demo|misfit] [--seeds 8] [--first-seed 1]
//     [--decisions 50000] [--snapshot-every 2000] [--variants now,ema-1k,...] [--lag 1] [--dps 400]
//     [--settle 20000] [--early 50000] [--skip-reference] [--trace] [--out /tmp/served-jitter.json]
// e.g. the integration test's regime: --seeds 30 (about 11 min for every variant on one core);
// the settled loop: --seeds 20 --decisions 150000 --settle 20000 (about 23 min). The first 50,000
// decisions of a longer run are the 50,000-decision run (the same draws), so --decisions 150000
// --settle 20000 --early 50000 gives both regimes in one run, and then a last table per variant:
// the lift early and settled, the settled jitter, and the settled loop's bias against the oracle.
// The weighting comparison of BENCHMARKS.md: for each --world (demo, misfit), three runs of
// 2–14 min each here, the same seeds, the reference (the converged offline fit) in the last:
//   --seeds 30 --decisions 150000 --settle 20000 --early 50000 --skip-reference --variants now,iw-cap-20
//   --seeds 30 --decisions 150000 --settle 20000 --early 50000 --skip-reference --variants iw-cap-10,iw-sqrt
//   --seeds 30 --decisions 150000 --settle 20000 --early 50000 --variants unweighted
//
// What is real and what is modelled:
// - the learner is the repository's LogisticRegression (DenseLearner, TensorFlow.js on the backend
//   initBackend chooses: wasm here), fed as services/trainer feeds it: each arrival batch of new
//   examples is one learnMany with its training weights (judgingWeight: 1/propensity clipped at
//   1/propensity_clip) divided by their mean (contender.ts meanNormalised), then REPLAY_RATIO = 3
//   replayed examples per new one from a ReplayBuffer(20,000) with the blueprint's forget
//   half-life, also mean-normalised, then remembered (blueprint-trainer.ts learnQueued);
// - the policy is services/lib/decide/policy.ts `choose` on the example blueprint with explore 4 %
//   and threshold 0.3, as test/support/loop.ts makes it;
// - the world is services/lib/simulator (the demo's 2,000 users, 24 h of history, live events at
//   speed 20, decisions at 400/s of wall-clock time as the integration test drives it); stream
//   features come from observedStreamFeatures (the features service's stand-in); who clicks is
//   --world's click model (click-models.ts): the demo's, which the logistic regression fits, or
//   `misfit`, where clicks peak at middling engagement and no logistic regression fits;
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
// The modules: world.ts (the simulator's users, events and features) and click-models.ts (who
// clicks), loop.ts (one seeded run), variants.ts (what each variant changes), reference.ts (the
// offline fit a run is held to), measures.ts, summary.ts and weighting.ts (the figures and the
// tables); this file reads the options and reports.
//
// Each snapshot is judged two ways: on the whole population at the time it starts serving (every
// user with their context then: requests are uniform over users, so this is the exact expectation
// for that instant, free of sampling noise), and on the decisions it actually served (what the
// integration test prints per version). Figures: send rate − oracle send rate (oracle: truth ≥ 0.3)
// and click share = Σ truth over the requests it sends to / Σ truth over those the oracle sends to.
import { parseArgs } from 'node:util';
import { writeFileSync } from 'node:fs';
import { initBackend } from '../../services/lib/learners/backend.js';
import { loopBlueprint, runOne, WARM_EXAMPLES, type BatchTrace, type LoopOptions, type RunResult } from './loop.js';
import { runReference, type ReferenceResult } from './reference.js';
import { mean, pct, sd, signed, summarise, table, type Summary } from './summary.js';
import { VARIANTS } from './variants.js';
import { clickModels, isWorldName } from './click-models.js';
import { referenceLine, weightingRow, weightingTable, type WeightingRow } from './weighting.js';

const { values: args } = parseArgs({
  options: {
    world: { type: 'string', default: 'demo' },
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
    /** The weighting table's early versions: those that started serving before this many decisions (default: all). */
    early: { type: 'string', default: '' },
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
const EARLY = args.early ? Number(args.early) : Infinity;
const WORLD = args.world;

const traceLine = (b: BatchTrace): string =>
  `trace ${b.learned} examples: batch ${b.batch} (explored sends ${b.explored}, max weight / mean ${b.maxOverMean.toFixed(1)}), gap ${signed(b.figures.gap)}, bias ${signed(b.figures.bias)}`;

async function main(): Promise<void> {
  if (!isWorldName(WORLD)) throw new Error(`no world named ${WORLD}: ${Object.keys(clickModels).join(', ')}`);
  const click = clickModels[WORLD];
  const backend = await initBackend(args.backend ? { prefer: [args.backend as 'wasm' | 'cpu' | 'tensorflow'] } : {});
  const bp = loopBlueprint();
  const wanted = args.variants ? new Set(args.variants.split(',')) : null;
  const variants = VARIANTS.filter((v) => wanted === null || wanted.has(v.name));
  if (variants.length === 0)
    throw new Error(`no variant named ${args.variants}: ${VARIANTS.map((v) => v.name).join(', ')}`);
  console.log(
    `# backend ${backend}; world ${WORLD}; ${SEEDS} seeds from ${FIRST_SEED}; ${DECISIONS} decisions at ${DPS}/s after a ${WARM_EXAMPLES}-example warm start; a snapshot every ${SNAPSHOT_EVERY} new examples, serving ${LAG} interval(s) later`,
  );
  const loop: LoopOptions = {
    click,
    decisions: DECISIONS,
    snapshotEvery: SNAPSHOT_EVERY,
    lag: LAG,
    dps: DPS,
    ...(args.trace ? { onBatch: (b: BatchTrace) => console.log(traceLine(b)) } : {}),
  };
  const results: RunResult[] = [];
  const summaries: Summary[] = [];
  const settled: Summary[] = [];
  const weighting: WeightingRow[] = [];
  for (const variant of variants) {
    const runs: RunResult[] = [];
    for (let s = FIRST_SEED; s < FIRST_SEED + SEEDS; s++) {
      const r = await runOne(bp, variant, s, loop);
      runs.push(r);
      const pops = r.snapshots.filter((x) => x.index > 0 && x.population !== null).map((x) => x.population!);
      console.log(
        `#   ${variant.name} seed ${s}: ${r.seconds.toFixed(1)} s, ${r.learned} examples, ${pops.length} versions; gaps ${pops.map((f) => signed(f.gap)).join(' ')}; shares ${pops.map((f) => pct(f.share, 0)).join(' ')}; last 6k share ${pct(r.judged.share)}, net ${pct(r.judged.netShare)}`,
      );
    }
    results.push(...runs);
    summaries.push(summarise(variant.name, runs));
    if (SETTLE > 0) settled.push(summarise(variant.name, runs, SETTLE));
    if (SETTLE > 0) weighting.push(weightingRow(WORLD, variant.name, runs, { early: EARLY, settle: SETTLE }));
    console.log(table(summaries.slice(-1)).split('\n').slice(2).join('\n'));
  }
  const reference: ReferenceResult[] = [];
  if (!args['skip-reference']) {
    for (let s = FIRST_SEED; s < FIRST_SEED + SEEDS; s++)
      reference.push(await runReference(bp, s, (DECISIONS * 1000) / DPS, click));
    const f = reference.map((r) => r.figures);
    console.log(
      `# reference (logistic fitted offline to convergence on 30,000 unbiased examples): gap ${signed(mean(f.map((x) => x.gap)))} ± ${pct(sd(f.map((x) => x.gap)))}, click share ${pct(mean(f.map((x) => x.share)))} ± ${pct(sd(f.map((x) => x.share)))} (worst ${pct(Math.min(...f.map((x) => x.share)))}), net share ${pct(mean(f.map((x) => x.netShare)))}, bias ${signed(mean(f.map((x) => x.bias)))}; ${reference.reduce((a, r) => a + r.seconds, 0).toFixed(0)} s`,
    );
  }
  console.log('\n## every version after the warm start\n\n' + table(summaries));
  if (SETTLE > 0) console.log(`\n## versions taken after ${SETTLE} examples learned\n\n` + table(settled));
  if (SETTLE > 0) {
    const early = Number.isFinite(EARLY) ? `serving before decision ${EARLY}` : 'every version';
    console.log(
      `\n## weighting: lift early (${early}) and settled (after ${SETTLE} examples), jitter and bias\n\n` +
        weightingTable(weighting) +
        (reference.length > 0 ? '\n' + referenceLine(WORLD, reference) : ''),
    );
  }
  console.log('\n' + variants.map((v) => `- ${v.name}: ${v.note}`).join('\n'));
  writeFileSync(
    args.out,
    JSON.stringify(
      {
        settings: {
          WORLD,
          SEEDS,
          FIRST_SEED,
          DECISIONS,
          SNAPSHOT_EVERY,
          LAG,
          DPS,
          SETTLE,
          EARLY,
          backend,
          WARM_EXAMPLES,
        },
        summaries,
        settled,
        weighting,
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
