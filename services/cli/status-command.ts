// `looper status [BLUEPRINT]`: what serves each blueprint and how it got there — the deployment
// (live, its serving continuation, previous, canary, shadows, retired) and the transitions with
// their reasons, read from looper.deployments, looper.models and the blueprints — and how it is
// doing: the monitor's newest measures (looper.metrics: traffic overall and per model version,
// the quality of the version that serves, drift, guardrails, consumer lag), the features
// service's late-event counts (also on looper.metrics) and the open alerts (looper.alerts).
import type { Command } from 'commander';
import type { LooperConfig } from '../lib/config.js';
import { readTopicToEnd } from '../lib/kafka.js';
import { createSchemaRegistryClient } from '../lib/schema-registry.js';
import { createTopicCodec } from '../lib/topic-codec.js';
import { latestVersions, readBlueprintHistory } from '../lib/blueprint-store.js';
import { chooseServedVersion } from '../lib/serving/serving-choice.js';
import type { Alert, Decision, Deployment, Metric, ModelVersion } from '../lib/schemas/generated.js';
import { AgreementWindow } from '../lib/rollout/apprentice.js';
import { allTopics, topics } from '../../topology/topics.js';
import { cliKafka } from './clients.js';
import { describeDeployment, servingVersionOf, type ModelFacts } from './status-report.js';
import { describeConsumerLag, describeMonitoring, METRICS_LOOKBACK_MS, openAlerts } from './monitoring-report.js';
import { describeContinuationRefusal } from './continuation-report.js';
import { UsageError } from '../lib/errors.js';

export function registerStatusCommand(program: Command, getConfig: () => LooperConfig): void {
  program
    .command('status [blueprint]')
    .description(
      "what serves each blueprint (live, canary, shadow, retired), the rollout transitions with their reasons, the monitor's newest measures (traffic per model version, quality, drift, guardrails), late events per stream feature, the open alerts and consumer lag",
    )
    .option('--history <n>', 'transitions shown per blueprint, newest first', '10')
    .action(async (name: string | undefined, options: { history: string }) => {
      const config = getConfig();
      const kafka = cliKafka(config);
      const registry = createSchemaRegistryClient(config);
      const codec = await createTopicCodec(registry, allTopics);
      const blueprints = latestVersions(await readBlueprintHistory({ kafka, registry }));
      if (name !== undefined && !blueprints.has(name))
        throw new UsageError(
          `no blueprint "${name}" is registered; looper blueprint list shows the registered ones`,
          'not_found',
        );

      const models = new Map<string, ModelFacts>();
      for (const { message } of await readTopicToEnd(kafka, topics.models.name, 120_000)) {
        if (!message.value) continue;
        const mv = await codec.decode<ModelVersion>(topics.models, message.value);
        if (name !== undefined && mv.blueprint !== name) continue;
        const {
          modelVersion,
          blueprint,
          role,
          sequence,
          parentVersion,
          family,
          metrics,
          createdAt,
          sizeBytes,
          p99InferenceUs,
        } = mv;
        models.set(modelVersion, {
          modelVersion,
          blueprint,
          role,
          sequence,
          parentVersion,
          family,
          metrics,
          createdAt,
          sizeBytes,
          p99InferenceUs,
        });
      }
      const history = new Map<string, Deployment[]>();
      for (const { message } of await readTopicToEnd(kafka, topics.deployments.name)) {
        if (!message.value) continue;
        const d = await codec.decode<Deployment>(topics.deployments, message.value);
        if (name !== undefined && d.blueprint !== name) continue;
        history.set(d.blueprint, [...(history.get(d.blueprint) ?? []), d]);
      }
      const names = name !== undefined ? [name] : [...blueprints.keys()].sort();
      const now = Date.now();
      // Apprentice agreement over the last hour of decisions, for blueprints still learning.
      const learning = names.filter(
        (n) => blueprints.get(n)!.apprentice !== null && !(history.get(n) ?? []).some((d) => d.tookOverAt !== null),
      );
      const agreements = new Map(
        learning.map((n) => [n, new AgreementWindow(Number(blueprints.get(n)!.apprentice!.minDecisions))]),
      );
      if (agreements.size > 0) {
        for (const { message } of await readTopicToEnd(kafka, topics.decisions.name, 120_000, now - 3_600_000)) {
          if (!message.value) continue;
          const decision = await codec.decode<Decision>(topics.decisions, message.value);
          agreements.get(decision.blueprint)?.observe(blueprints.get(decision.blueprint)!, decision);
        }
      }
      const metrics: Metric[] = [];
      for (const { message } of await readTopicToEnd(kafka, topics.metrics.name, 120_000, now - METRICS_LOOKBACK_MS)) {
        if (message.value) metrics.push(await codec.decode<Metric>(topics.metrics, message.value));
      }
      const alertLog: Alert[] = [];
      for (const { message } of await readTopicToEnd(kafka, topics.alerts.name)) {
        if (message.value) alertLog.push(await codec.decode<Alert>(topics.alerts, message.value));
      }
      const alerts = openAlerts(alertLog);
      for (const bpName of names) {
        const bp = blueprints.get(bpName)!;
        const records = (history.get(bpName) ?? []).sort((a, b) => a.revision - b.revision);
        const current = records[records.length - 1] ?? null;
        const served = chooseServedVersion(bpName, models.values(), current?.live ?? null, current ?? undefined);
        const agreement = agreements.get(bpName);
        console.log(
          describeDeployment({
            bp,
            current,
            records,
            served,
            models,
            now,
            historyLimit: Number(options.history),
            agreement: agreement ? { share: agreement.share, count: agreement.count } : null,
          }),
        );
        for (const line of describeContinuationRefusal(metrics, bpName, now)) console.log(line);
        // The quality line measures the version the deployment lines say serves, not whichever decided last.
        console.log(describeMonitoring(bp, metrics, alerts, now, servingVersionOf(served, models)).join('\n'));
        console.log('');
      }
      // Consumer lag is the platform's, not one blueprint's: once, after them.
      console.log(describeConsumerLag(metrics, now).join('\n'));
    });
}
