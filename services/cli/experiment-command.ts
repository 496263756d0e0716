// `looper experiment status NAME`: the blueprint A/B experiment's arms, each arm's outcome per
// decision, the lift over the control with an always-valid interval (valid at any look), the
// design that interval holds under, and a recommendation that reads that interval only.
import type { Command } from 'commander';
import type { LooperConfig } from '../lib/config.js';
import { readTopicToEnd } from '../lib/kafka.js';
import { createSchemaRegistryClient } from '../lib/schema-registry.js';
import { createTopicCodec } from '../lib/topic-codec.js';
import { latestVersions, readBlueprintHistory } from '../lib/blueprint-store.js';
import { parseDuration } from '../lib/blueprint/units.js';
import { experimentArms } from '../lib/experiments/assign.js';
import {
  analyzeExperiment,
  coverageOf,
  describeExperimentDesign,
  type Observation,
} from '../lib/experiments/analysis.js';
import type { Example } from '../lib/schemas/generated.js';
import { allTopics, topics } from '../../topology/topics.js';
import { table } from '../lib/table.js';
import { spanText } from '../lib/duration-text.js';
import { cliKafka } from './clients.js';
import { UsageError } from '../lib/errors.js';

/** Time the joiner is given, past a label window, to emit the example of a decision without an outcome. */
const MATURITY_GRACE_MS = 10_000;

const interval = (i: { estimate: number; low: number; high: number }, digits = 4) =>
  Number.isNaN(i.estimate)
    ? '—'
    : `${i.estimate.toFixed(digits)} [${i.low.toFixed(digits)}, ${i.high.toFixed(digits)}]`;

export function registerExperimentCommands(program: Command, getConfig: () => LooperConfig): void {
  const experiment = program.command('experiment').description('blueprint A/B experiments');
  experiment
    .command('status <name>')
    .description(
      "each arm's outcome per decision, the lift over the control with an always-valid interval, and a recommendation",
    )
    .option('--since <duration>', 'only examples labelled in this last span, e.g. 2h (default: all retained)')
    .action(async (name: string, options: { since?: string }) => {
      const config = getConfig();
      const kafka = cliKafka(config);
      const registry = createSchemaRegistryClient(config);
      const history = await readBlueprintHistory({ kafka, registry });
      const members = [...latestVersions(history).values()].filter((b) => b.experiment?.name === name);
      if (members.length === 0)
        throw new UsageError(
          `no registered blueprint declares experiment "${name}": add experiment: { name: ${name}, arms: { … } } to each arm's blueprint`,
        );
      const arms = experimentArms(members[0]!.experiment!);
      const latest = latestVersions(history);
      const notMembers = arms.filter((a) => !members.some((m) => m.name === a.name)).map((a) => a.name);
      const unregistered = notMembers.filter((a) => !latest.has(a));
      const leftOut = notMembers.filter((a) => latest.has(a));
      // The control is the incumbent: the arm whose blueprint was registered first.
      const firstRegistered = (arm: string) =>
        Math.min(...history.filter((b) => b.name === arm).map((b) => b.registeredAt));
      const control = [...arms].sort((a, b) => firstRegistered(a.name) - firstRegistered(b.name))[0]!.name;

      let sinceTs: number | undefined;
      if (options.since !== undefined) {
        const parsed = parseDuration(options.since);
        if (!parsed.ok) throw new UsageError(`--since: ${parsed.message}`);
        sinceTs = Date.now() - parsed.value;
      }
      const codec = await createTopicCodec(registry, allTopics);
      const armNames = new Set(arms.map((a) => a.name));
      // Only decisions whose label window has closed: earlier, the arm that acts more (sends more)
      // has more of its outcomes in, and comparing what has arrived so far would be biased.
      const windowMs = Math.max(...members.map((m) => m.label.windowMs));
      const matureBefore = Date.now() - windowMs - MATURITY_GRACE_MS;
      let young = 0;
      const observations: Observation[] = [];
      const earlier = new Map<string, { sum: number; n: number }>();
      for (const { message } of await readTopicToEnd(kafka, topics.examples.name, 600_000, sinceTs)) {
        if (!message.value) continue;
        const e = await codec.decode<Example>(topics.examples, message.value);
        if (!armNames.has(e.blueprint) || !Number.isFinite(e.label)) continue;
        if (e.experimentArm !== null && armNames.has(e.experimentArm)) {
          if (e.decisionTs <= matureBefore)
            observations.push({ arm: e.experimentArm, entity: e.entity, value: e.label });
          else young++;
        } else if (e.experimentArm === null) {
          const s = earlier.get(e.entity) ?? { sum: 0, n: 0 };
          s.sum += e.label;
          s.n++;
          earlier.set(e.entity, s);
        }
      }
      const before = new Map([...earlier].map(([entity, s]) => [entity, s.sum / s.n]));
      const report = analyzeExperiment(name, arms, control, observations, before);

      console.log(
        `experiment ${name}: ${arms.map((a) => `${a.name} ${Math.round(a.share * 100)} %`).join(', ')}; control ${control} (registered first); outcome = the label per decision${unregistered.length > 0 ? `\nnot registered: ${unregistered.join(', ')} — entities assigned to it get an error reply` : ''}${leftOut.length > 0 ? `\nno longer in the experiment: ${leftOut.map((a) => `${a} v${latest.get(a)!.version}`).join(', ')} does not declare it, so requests on its own subject are decided without it` : ''}\n`,
      );
      console.log(
        `counting the decisions made before ${new Date(matureBefore).toISOString()}, whose label windows (${spanText(windowMs)}) have closed; ${young} younger ones wait for their labels\n`,
      );
      console.log(
        table(
          ['arm', 'share', 'entities', 'decisions', 'outcome per decision'],
          report.arms.map((a) => [
            a.arm + (a.arm === control ? ' (control)' : ''),
            `${Math.round(a.share * 100)} %`,
            String(a.entities),
            String(a.decisions),
            Number.isNaN(a.mean) ? '—' : a.mean.toFixed(4),
          ]),
        ),
      );
      const coverage = coverageOf(report.design);
      if (report.comparisons.length > 0) {
        console.log('');
        console.log(
          table(
            ['arm', `difference vs ${control} [${coverage}]`, 'relative lift [same]', `with CUPED [${coverage}]`],
            report.comparisons.map((c) => [
              c.arm,
              interval(c.difference),
              Number.isNaN(c.relative.estimate)
                ? '—'
                : `${(100 * c.relative.estimate).toFixed(1)} % [${(100 * c.relative.low).toFixed(1)}, ${(100 * c.relative.high).toFixed(1)}]`,
              c.cuped === null
                ? 'no pre-period outcomes'
                : `${interval(c.cuped.difference)}, variance −${(100 * c.cuped.varianceReduction).toFixed(0)} %`,
            ]),
          ),
        );
      }
      console.log(`\n${describeExperimentDesign(report.design)}`);
      console.log(
        `\nsample ratio check: p = ${report.sampleRatioP.toPrecision(3)}${report.sampleRatioP < 0.001 ? ' — MISMATCH' : ' (split as declared)'}`,
      );
      console.log(`recommendation: ${report.recommendation}`);
    });
}
