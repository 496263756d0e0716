import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { Command } from 'commander';
import { benchSearch, type SearchBenchFigures } from '../lib/automl/bench.js';
import type { LooperConfig } from '../lib/config.js';
import { kafkaRawBaseline } from '../../bench/baselines.js';
import { benchDecisionLoop } from '../../bench/decision-loop.js';
import { benchTimerScans } from '../../bench/timer-scan.js';
import { table } from '../lib/table.js';
import { benchScoring, initBackend, type ScoringFigures } from '../lib/learners/index.js';
import { benchGbdtScaling, GBDT_SCALING_HYPER_PARAMETERS, type GbdtScaling } from '../lib/learners/bench.js';

const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

/** Families whose single-row scoring is measured, each on its default task. */
const SCORING_FAMILIES = ['logistic', 'linear', 'mlp', 'gbdt'] as const;
const SCALING_ROWS = [2_000, 8_000, 32_000];
const SCALING_FEATURES = [4, 16, 64];

export interface LearnerFigures {
  /** The TensorFlow.js backend the tfjs families ran on. */
  readonly tfjsBackend: string;
  /** Single-row scoring per family. */
  readonly scoring: Record<string, ScoringFigures>;
  readonly gbdtScaling: GbdtScaling;
}

/** Learner benches: pure model code, no stack (the tfjs families on the backend initBackend picks). */
export async function benchLearners(log: (line: string) => void): Promise<LearnerFigures> {
  const tfjsBackend = await initBackend();
  const scoring: Record<string, ScoringFigures> = {};
  for (const family of SCORING_FAMILIES) {
    log(`scoring ${family}`);
    scoring[family] = await benchScoring(family);
  }
  log(`gbdt training time for rows ${SCALING_ROWS.join(', ')} × features ${SCALING_FEATURES.join(', ')}`);
  return { tfjsBackend, scoring, gbdtScaling: benchGbdtScaling(SCALING_ROWS, SCALING_FEATURES) };
}

/** Search wall time as printed: per evaluation by family, over all rungs and at the full data. */
export function searchReport(f: SearchBenchFigures): string {
  return [
    `AutoML search wall time (${f.examples} synthetic examples split by time, budget ${f.budget}, logistic + mlp + gbdt): ${f.seconds.toFixed(1)} s for ${f.evaluations} evaluations; chose ${f.chosen ?? 'nothing'}${f.metric === null ? '' : ` (auc ${f.metric.toFixed(4)})`}`,
    table(
      ['family', 'evaluations', 'mean s each', 'full-data evaluations', 'mean s at full data'],
      Object.entries(f.perFamily).map(([family, p]) => [
        family,
        String(p.evaluations),
        p.meanSeconds.toFixed(2),
        String(p.fullDataEvaluations),
        p.fullDataMeanSeconds === null ? '—' : p.fullDataMeanSeconds.toFixed(2),
      ]),
    ),
  ].join('\n');
}

/** The learner figures as printed: a scoring table per family, then the GBDT scaling table and its power law. */
export function learnerReport(figures: LearnerFigures): string {
  const us = (v: number) => v.toFixed(2);
  const hyper = GBDT_SCALING_HYPER_PARAMETERS;
  const { points, statement } = figures.gbdtScaling;
  return [
    `scoring µs per row by family (plain-JS Scorer, preprocessing included; beside it a one-row tfjs predict on ${figures.tfjsBackend}):`,
    table(
      ['family', 'mean µs', 'p50 µs', 'p99 µs', 'tfjs one-row µs', 'artifact bytes'],
      Object.entries(figures.scoring).map(([family, s]) => [
        family,
        us(s.scorerMeanUs),
        us(s.scorerP50Us),
        us(s.scorerP99Us),
        s.tfjsOneRowUs === null ? '—' : us(s.tfjsOneRowUs),
        String(s.artifactBytes),
      ]),
    ),
    '',
    `GBDT training time as rows × features grow (ms per fit: ${hyper.nTrees} trees of depth ${hyper.maxDepth}, no early stopping, default bins; numeric features):`,
    table(
      ['rows', ...SCALING_FEATURES.map((k) => `${k} features`)],
      SCALING_ROWS.map((n) => [
        n.toLocaleString('en-US'),
        ...SCALING_FEATURES.map((k) => points.find((p) => p.rows === n && p.features === k)?.fitMs.toFixed(0) ?? '—'),
      ]),
    ),
    `fitted by least squares on log-log: ${statement}`,
  ].join('\n');
}

export function registerBenchCommand(program: Command, getConfig: () => LooperConfig): void {
  program
    .command('bench')
    .description(
      'measure decide, ingest, training and freshness beside raw NATS and Kafka baselines on the running stack, then single-row scoring per model family and GBDT training time as data grow; prints figures and writes bench/results/',
    )
    .option('--seconds <s>', 'duration of each request-reply run', '5')
    .option('--events <n>', 'events per topic for the ingest run', '200000')
    .action(async (options: { seconds: string; events: string }) => {
      const config = getConfig();
      const log = (line: string) => console.log(`# ${line}`);
      const loop = await benchDecisionLoop(config, Number(options.seconds), Number(options.events), log);
      const kafka = await kafkaRawBaseline(config, Number(options.events));

      console.log(
        '\ndecide (NATS request-reply through the predictor, one feature lookup, exact scoring) vs a raw NATS echo, same run:',
      );
      console.log(
        table(
          [
            'concurrency',
            'decide req/s',
            'echo req/s',
            'throughput ratio',
            'decide p50 ms',
            'echo p50 ms',
            'p50 overhead ms',
            'decide p99 ms',
            'echo p99 ms',
          ],
          loop.decide.map((d, i) => {
            const e = loop.echo[i]!;
            return [
              String(d.concurrency),
              d.requestsPerSecond.toFixed(0),
              e.requestsPerSecond.toFixed(0),
              ratio(d.requestsPerSecond, e.requestsPerSecond),
              d.latencyMs.p50.toFixed(3),
              e.latencyMs.p50.toFixed(3),
              (d.latencyMs.p50 - e.latencyMs.p50).toFixed(3),
              d.latencyMs.p99.toFixed(3),
              e.latencyMs.p99.toFixed(3),
            ];
          }),
        ),
      );
      if (loop.cpuPerRequestUs.length > 0) {
        const names = Object.keys(loop.cpuPerRequestUs[0]!.decide);
        console.log(
          "\nCPU µs per request by process (where a request's CPU goes on this machine; the echo responder runs in the client):",
        );
        console.log(
          table(
            ['concurrency', 'request', ...names, 'total'],
            loop.cpuPerRequestUs.flatMap((c) =>
              (['echo', 'decide'] as const).map((kind) => [
                String(c.concurrency),
                kind,
                ...names.map((n) => c[kind][n]!.toFixed(0)),
                Object.values(c[kind])
                  .reduce((a, b) => a + b, 0)
                  .toFixed(0),
              ]),
            ),
          ),
        );
      }
      const byLimit = (limited: boolean) =>
        loop.scaling.filter((s) => (s.cpuPerInstance !== null) === limited).sort((a, b) => a.instances - b.instances);
      for (const runs of [byLimit(false), byLimit(true)]) {
        const one = runs.find((s) => s.instances === 1);
        if (!one || runs.length < 2) continue;
        const limit =
          one.cpuPerInstance === null
            ? 'no limit: every instance shares'
            : `each instance limited to ${one.cpuPerInstance} core (a cgroup CPU quota, as a container's limit), within`;
        console.log(
          `\ndecide by instances (1,024 entities in turn so lookups reach every partition; ${limit} this machine's ${cpus().length} cores):`,
        );
        console.log(
          table(
            [
              'instances of features and predictor',
              'concurrency',
              'decide req/s',
              'vs 1 instance',
              'p50 ms',
              'p99 ms',
              'machine CPU busy',
            ],
            runs.map((s) => [
              String(s.instances),
              String(s.decide.concurrency),
              s.decide.requestsPerSecond.toFixed(0),
              ratio(s.decide.requestsPerSecond, one.decide.requestsPerSecond),
              s.decide.latencyMs.p50.toFixed(3),
              s.decide.latencyMs.p99.toFixed(3),
              `${(100 * s.machineBusy).toFixed(0)} %`,
            ]),
          ),
        );
      }
      if (loop.limitSkipped) console.log(`\ndecide by instances with a CPU limit each: skipped (${loop.limitSkipped})`);
      if (loop.joiner) {
        const j = loop.joiner;
        console.log(
          `\njoiner: ${j.joinedPerSecond.toFixed(0)} decisions/s joined (read, kept pending, windows closed) vs raw kafkajs consume ${j.rawConsumePerSecond.toFixed(0)}/s of looper.decisions → ${ratio(j.joinedPerSecond, j.rawConsumePerSecond)} (${j.decisions} decisions behind when it started: those the runs above logged, and any it had not read before)`,
        );
      }
      console.log(
        `\nfeature ingest: ${loop.ingest.featuresPerSecond.toFixed(0)} events/s into RocksDB aggregates vs raw kafkajs consume ${loop.ingest.rawConsumePerSecond.toFixed(0)}/s of the same topic → ${ratio(loop.ingest.featuresPerSecond, loop.ingest.rawConsumePerSecond)} (${loop.ingest.events} events, 6 partitions, ${loop.ingest.seconds.toFixed(2)} s${loop.ingest.seconds < 1 ? '; too short to time well: raise --events' : ''})`,
      );
      console.log(
        `training: ${Object.entries(loop.training)
          .map(([f, v]) => `${f} ${v.toFixed(0)} examples/s`)
          .join(', ')} (batches of 1024)`,
      );
      const f = loop.freshness.eventToFeatureMs;
      console.log(
        `freshness: event produced → visible in a lookup p50 ${f.p50.toFixed(1)} ms, p99 ${f.p99.toFixed(1)} ms (${f.count} events)`,
      );
      console.log(
        `raw kafkajs: produce ${kafka.producePerSecond.toFixed(0)} msg/s, consume ${kafka.consumePerSecond.toFixed(0)} msg/s`,
      );

      log('joiner tick scans');
      const timerScans = await benchTimerScans();
      const { deleted, heldElsewhere } = timerScans;
      console.log(
        `\njoiner tick scans (RocksDB, no stack): over ${deleted.timers} deleted close timers not yet compacted away ${deleted.fromStartMs.toFixed(1)} ms from the start, ${deleted.fromFloorMs.toFixed(1)} ms from the floor; ` +
          `over ${heldElsewhere.timers} due timers of partitions held elsewhere ${heldElsewhere.fromStartMs.toFixed(0)} ms from the start, ${heldElsewhere.fromFloorMs.toFixed(1)} ms from the floor`,
      );

      const learners = await benchLearners(log);
      console.log(`\n${learnerReport(learners)}`);
      log('an AutoML search over logistic, mlp and gbdt');
      const search = await benchSearch();
      console.log(`\n${searchReport(search)}`);

      mkdirSync('bench/results', { recursive: true });
      const file = `bench/results/${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
      writeFileSync(
        file,
        JSON.stringify(
          {
            at: new Date().toISOString(),
            machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
            ...loop,
            kafkaRaw: kafka,
            timerScans,
            ...learners,
            search,
          },
          null,
          2,
        ),
      );
      console.log(`\nwritten to ${file}`);
    });
}
