// `looper evaluate BLUEPRINT --candidate FILE`: how a new version of a planning blueprint would
// have done on the decisions already logged, before it is deployed — off-policy evaluation (IPS,
// SNIPS, doubly robust) of the candidate's decision policy on the logged scores and rewards.
import type { Command } from 'commander';
import type { LooperConfig } from '../lib/config.js';
import { readTopicToEnd } from '../lib/kafka.js';
import { createSchemaRegistryClient } from '../lib/schema-registry.js';
import { createTopicCodec } from '../lib/topic-codec.js';
import { latestVersions, readBlueprintHistory } from '../lib/blueprint-store.js';
import { parseDuration } from '../lib/blueprint/units.js';
import { evaluateCandidate, joinLogs } from '../lib/ope/evaluate.js';
import { describeJoin, formatEvaluation } from '../lib/ope/evaluation-report.js';
import type { Decision, Example } from '../lib/schemas/generated.js';
import { allTopics, topics } from '../../topology/topics.js';
import { cliKafka } from './clients.js';
import { compileBlueprintFile } from './blueprint-commands.js';
import { UsageError } from '../lib/errors.js';

export function registerEvaluateCommand(program: Command, getConfig: () => LooperConfig): void {
  program
    .command('evaluate <blueprint>')
    .description(
      'estimate, with an interval, how a candidate version of a planning blueprint would have done on the logged decisions (IPS, SNIPS, doubly robust)',
    )
    .requiredOption(
      '--candidate <file>',
      'the candidate blueprint YAML: the same blueprint with another decision policy',
    )
    .option('--since <duration>', 'only decisions of this last span, e.g. 6h', '24h')
    .option('--max-weight <w>', 'clip importance weights at w (less variance, some bias)')
    .action(async (name: string, options: { candidate: string; since: string; maxWeight?: string }) => {
      const config = getConfig();
      const candidate = compileBlueprintFile(options.candidate);
      if (candidate.name !== name)
        throw new UsageError(
          `${options.candidate} is blueprint "${candidate.name}", not "${name}": a candidate is another version of the same blueprint`,
        );
      const kafka = cliKafka(config);
      const registry = createSchemaRegistryClient(config);
      const current = latestVersions(await readBlueprintHistory({ kafka, registry })).get(name);
      if (!current)
        throw new UsageError(
          `no blueprint "${name}" is registered; looper blueprint list shows the registered ones`,
          'not_found',
        );
      if (current.task !== 'planning')
        throw new UsageError(
          `${name} is a ${current.task} blueprint; looper evaluate estimates planning blueprints, whose decisions log a reward estimate per action`,
        );
      const since = parseDuration(options.since);
      if (!since.ok) throw new UsageError(`--since: ${since.message}`);
      const maxWeight = options.maxWeight === undefined ? undefined : Number(options.maxWeight);
      if (maxWeight !== undefined && !(maxWeight >= 1))
        throw new UsageError(`--max-weight: "${options.maxWeight}" is not a number ≥ 1`);

      const from = Date.now() - since.value;
      const codec = await createTopicCodec(registry, allTopics);
      const decisions: Decision[] = [];
      for (const { message } of await readTopicToEnd(kafka, topics.decisions.name, 600_000, from)) {
        if (!message.value) continue;
        const d = await codec.decode<Decision>(topics.decisions, message.value);
        if (d.blueprint === name) decisions.push(d);
      }
      const examples: Example[] = [];
      for (const { message } of await readTopicToEnd(kafka, topics.examples.name, 600_000, from)) {
        if (!message.value) continue;
        const e = await codec.decode<Example>(topics.examples, message.value);
        if (e.blueprint === name) examples.push(e);
      }
      const joined = joinLogs(decisions, examples, { blueprint: name });
      console.log(describeJoin(joined));
      const result = evaluateCandidate(joined.logs, candidate.decision, {
        loggedActions: current.decision.actions,
        ...(maxWeight === undefined ? {} : { maxWeight }),
      });
      for (const line of formatEvaluation(result, { blueprint: name })) console.log(line);
    });
}
