// `looper topology apply`: creates missing topics, registers value schemas, reports drift.
// It never deletes or alters existing topics: drift is reported with the command that fixes it.
import type { Admin } from 'kafkajs';
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { avroSchemas } from '../services/lib/schemas/generated.js';
import { registerSchema, type RegisteredValueSchema } from '../services/lib/schema-registry.js';
import { creationConfigs, planTopology, type ExistingTopic, type TopicDrift } from './plan.js';
import { valueSubject, type TopicSpec } from './topics.js';

export interface ApplyReport {
  created: string[];
  unchanged: string[];
  drift: TopicDrift[];
  schemas: RegisteredValueSchema[];
}

export async function describeTopics(admin: Admin, names: string[]): Promise<ExistingTopic[]> {
  const present = new Set(await admin.listTopics());
  const wanted = names.filter((n) => present.has(n));
  if (wanted.length === 0) return [];
  const metadata = await admin.fetchTopicMetadata({ topics: wanted });
  const configs = await admin.describeConfigs({
    includeSynonyms: false,
    resources: wanted.map((name) => ({
      type: 2 /* ConfigResourceTypes.TOPIC */,
      name,
      configNames: ['cleanup.policy', 'retention.ms'],
    })),
  });
  const configsByTopic = new Map(
    configs.resources.map((r) => [
      r.resourceName,
      Object.fromEntries(r.configEntries.map((e) => [e.configName, e.configValue])),
    ]),
  );
  return metadata.topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.length,
    configs: configsByTopic.get(t.name) ?? {},
  }));
}

export async function applyTopology(
  admin: Admin,
  registry: SchemaRegistry,
  declared: readonly TopicSpec[],
): Promise<ApplyReport> {
  const plan = planTopology(
    declared,
    await describeTopics(
      admin,
      declared.map((t) => t.name),
    ),
  );
  if (plan.create.length > 0) {
    await admin.createTopics({
      waitForLeaders: true,
      topics: plan.create.map((spec) => ({
        topic: spec.name,
        numPartitions: spec.partitions,
        replicationFactor: -1,
        configEntries: Object.entries(creationConfigs(spec)).map(([name, value]) => ({ name, value })),
      })),
    });
  }
  const schemas: RegisteredValueSchema[] = [];
  for (const spec of declared) {
    if (spec.valueSchema === null) continue;
    schemas.push(await registerSchema(registry, valueSubject(spec.name), avroSchemas[spec.valueSchema].schema));
  }
  return { created: plan.create.map((t) => t.name), unchanged: plan.unchanged, drift: plan.drift, schemas };
}
