// `looper automl run BLUEPRINT`: a search run from the terminal, with a progress bar, ending with
// the leaderboard, the Pareto front, the choice and why, and what was published.
import type { Command } from 'commander';
import type { LooperConfig } from '../lib/config.js';
import { producerDefaults } from '../lib/kafka.js';
import { createSchemaRegistryClient } from '../lib/schema-registry.js';
import { createTopicCodec } from '../lib/topic-codec.js';
import { findVersion, readBlueprintHistory } from '../lib/blueprint-store.js';
import { parseDuration } from '../lib/blueprint/units.js';
import { initBackend } from '../lib/learners/backend.js';
import { runAutoml, type AutomlDeps } from '../automl/run.js';
import type { Blueprint } from '../lib/schemas/generated.js';
import { retrainServing } from '../automl/retrain.js';
import { featureDropText, frontTable, leaderboardTable, progressLine } from '../automl/report.js';
import { allTopics, topics } from '../../topology/topics.js';
import { cliKafka } from './clients.js';
import { UsageError } from '../lib/errors.js';
import { spanText } from '../lib/duration-text.js';

interface RunOptions {
  budget?: string;
  since?: string;
  promote?: boolean;
  seed: string;
}

export function registerAutomlCommands(program: Command, getConfig: () => LooperConfig): void {
  const automl = program
    .command('automl')
    .description('search model families and hyper-parameters on replayed examples; retrain the serving one');
  registerRetrain(automl, getConfig);
  automl
    .command('run <blueprint>')
    .description(
      `replay the blueprint's examples from ${topics.examples.name}, search, and publish the chosen model as a candidate for the rollout service to shadow`,
    )
    .option('--budget <n>', "configurations to try (default: the blueprint's automl.budget)")
    .option('--since <duration>', 'only examples labelled in this last span, e.g. 2h or 7d (default: all retained)')
    .option(
      '--promote',
      'make the chosen model live at once, without the shadow comparison (a first model, or no rollout service)',
    )
    .option('--seed <n>', 'seed of the sampler and of every trial', '1')
    .action(async (name: string, options: RunOptions) => {
      const budget = options.budget === undefined ? undefined : positiveInt(options.budget, '--budget');
      const sinceMs = options.since === undefined ? undefined : duration(options.since);
      const seed = positiveInt(options.seed, '--seed');
      await withAutomlClients(getConfig(), name, async (deps, bp, backend) => {
        console.log(
          `automl ${bp.name} v${bp.version}: ${bp.task}, ${bp.objective.metric}, families ${bp.automl.families.join(', ')}, budget ${budget ?? bp.automl.budget} (tfjs backend ${backend})`,
        );
        const live = process.stdout.isTTY;
        const run = await runAutoml(deps, bp, {
          budget,
          sinceMs,
          seed,
          promote: options.promote === true,
          onReplayed: (r) =>
            console.log(
              `replayed ${r.read} records: ${r.examples.length} examples teach ${bp.name}'s score (${r.notTeaching} do not, ${r.duplicates} duplicates, ${r.undecodable} undecodable)`,
            ),
          onProgress: (p) => {
            const line = progressLine(p, bp.objective.metric);
            if (live) process.stdout.write(`\r\x1b[2K${line.slice(0, (process.stdout.columns ?? 120) - 1)}`);
            else console.log(line);
          },
        });
        if (live) process.stdout.write('\n');
        const r = run.result;
        console.log(
          `\ntrain on ${run.trainRows} examples of the entities seen earlier, validate on ${run.validationRows} of those seen latest; ${r.evaluations.length} evaluations of ${r.leaderboard.length} configurations in ${spanText(r.seconds * 1000)}\n`,
        );
        console.log(
          `leaderboard (by ${r.metric} on the validation examples; rows = training rows the trial reached):\n${leaderboardTable(r)}\n`,
        );
        console.log(
          `Pareto front (${r.metric} × artifact size × p99 scoring time, among the trials that reached all ${run.trainRows} training examples):\n${frontTable(r)}\n`,
        );
        console.log(featureDropText(r));
        console.log(`\nchosen: ${r.why}`);
        if (run.candidate) console.log(`published ${run.candidate.modelVersion} on ${topics.models.name}`);
        if (run.deployment)
          console.log(
            `live: ${run.deployment.live} now answers looper.decide.${bp.name} (deployment revision ${run.deployment.revision})`,
          );
        else if (run.candidate)
          console.log(
            `the rollout service shadows it beside the live model and promotes it if it is better: looper status ${bp.name}`,
          );
        if (!run.candidate) process.exitCode = 1;
      });
    });
}

function registerRetrain(automl: Command, getConfig: () => LooperConfig): void {
  automl
    .command('retrain <blueprint>')
    .description(
      'train the configuration that serves from scratch on the replayed examples and publish it as a candidate for the rollout service (what training.retrain schedules)',
    )
    .option('--since <duration>', 'only examples labelled in this last span, e.g. 7d (default: all retained)')
    .action(async (name: string, options: { since?: string }) => {
      await withAutomlClients(getConfig(), name, async (deps, bp) => {
        const retrain = await retrainServing(deps, bp, {
          sinceMs: options.since === undefined ? undefined : duration(options.since),
          onReplayed: (r) =>
            console.log(`replayed ${r.read} records: ${r.examples.length} examples teach ${bp.name}'s score`),
        });
        console.log(
          `the rollout service shadows ${retrain.candidate.modelVersion} beside the live model: looper status ${bp.name}`,
        );
      });
    });
}

/** The blueprint's newest version and the clients a run needs, with a tfjs backend chosen; closes them after. */
async function withAutomlClients(
  config: LooperConfig,
  name: string,
  work: (deps: AutomlDeps, bp: Blueprint, backend: string) => Promise<void>,
): Promise<void> {
  const kafka = cliKafka(config);
  const registry = createSchemaRegistryClient(config);
  const bp = findVersion(await readBlueprintHistory({ kafka, registry }), name);
  const codec = await createTopicCodec(registry, allTopics);
  const producer = kafka.producer({ ...producerDefaults, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    const backend = await initBackend();
    await work({ kafka, codec, producer, log: (line) => console.log(line) }, bp, backend);
  } finally {
    await producer.disconnect();
  }
}

function positiveInt(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${what} must be a whole number ≥ 1, not "${text}"`);
  return n;
}

function duration(text: string): number {
  const parsed = parseDuration(text);
  if (!parsed.ok) throw new UsageError(`--since: ${parsed.message}`);
  return parsed.value;
}
