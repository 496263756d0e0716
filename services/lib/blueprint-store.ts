// Blueprints on Kafka: every version on looper.blueprints.history, the live one on the compacted
// looper.blueprints (both keyed by name), encoded with the registered Blueprint schema (Confluent wire format).
import type { Kafka } from 'kafkajs';
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { stringify } from 'yaml';
import type { Blueprint } from './schemas/generated.js';
import { createTopicCodec, type TopicCodec } from './topic-codec.js';
import { producerDefaults, readTopicToEnd } from './kafka.js';
import { NotFoundError } from './errors.js';
import { topics } from '../../topology/topics.js';
import { applyTopology } from '../../topology/apply.js';

export interface BlueprintStore {
  kafka: Kafka;
  registry: SchemaRegistry;
}

const codecs = new WeakMap<SchemaRegistry, Promise<TopicCodec>>();

/** The shared topic codec for both blueprint topics, made once per registry client. */
function blueprintCodec(store: BlueprintStore): Promise<TopicCodec> {
  let codec = codecs.get(store.registry);
  if (!codec) {
    codec = createTopicCodec(store.registry, [topics.blueprints, topics.blueprintHistory]);
    codecs.set(store.registry, codec);
  }
  return codec;
}

/** Every registered version of every blueprint, oldest first. */
export async function readBlueprintHistory(store: BlueprintStore): Promise<Blueprint[]> {
  const records = await readTopicToEnd(store.kafka, topics.blueprintHistory.name);
  const versions: Blueprint[] = [];
  for (const { message } of records) {
    if (message.value)
      versions.push(await (await blueprintCodec(store)).decode<Blueprint>(topics.blueprintHistory, message.value));
  }
  return versions;
}

/** The newest version of each blueprint, by name. */
export function latestVersions(history: readonly Blueprint[]): Map<string, Blueprint> {
  const latest = new Map<string, Blueprint>();
  for (const bp of history) {
    const current = latest.get(bp.name);
    if (!current || bp.version > current.version) latest.set(bp.name, bp);
  }
  return latest;
}

export function findVersion(history: readonly Blueprint[], name: string, version?: number): Blueprint {
  const versions = history.filter((b) => b.name === name);
  if (versions.length === 0)
    throw new NotFoundError(
      `blueprint "${name}"`,
      'register it with looper blueprint register FILE; looper blueprint list shows what exists',
    );
  if (version === undefined) return latestVersions(versions).get(name)!;
  const found = versions.find((b) => b.version === version);
  if (!found)
    throw new NotFoundError(
      `version ${version} of blueprint "${name}"`,
      `it has versions ${versions.map((b) => b.version).join(', ')}`,
    );
  return found;
}

/** What a version means, without when it was registered or how its YAML was laid out. */
export function canonicalYaml(bp: Blueprint): string {
  const { version: _v, registeredAt: _r, sourceYaml: _s, ...meaning } = bp;
  return stringify(meaning, { sortMapEntries: false });
}

export interface RegisterResult {
  blueprint: Blueprint;
  /** 'unchanged' when the newest version already means the same (comments and layout aside). */
  status: 'registered' | 'unchanged';
}

/** Registers a compiled blueprint as the next version of its name. */
export async function registerBlueprint(
  store: BlueprintStore,
  compiled: Blueprint,
  now = Date.now(),
): Promise<RegisterResult> {
  const admin = store.kafka.admin();
  await admin.connect();
  try {
    await applyTopology(admin, store.registry, [topics.blueprints, topics.blueprintHistory]);
  } finally {
    await admin.disconnect();
  }
  const previous = latestVersions(await readBlueprintHistory(store)).get(compiled.name);
  if (previous && canonicalYaml(previous) === canonicalYaml(compiled))
    return { blueprint: previous, status: 'unchanged' };

  const blueprint: Blueprint = { ...compiled, version: (previous?.version ?? 0) + 1, registeredAt: now };
  const codec = await blueprintCodec(store);
  const producer = store.kafka.producer({ ...producerDefaults, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    // History first: a version is never live without being in the history.
    await producer.send({
      topic: topics.blueprintHistory.name,
      acks: -1,
      messages: [{ key: blueprint.name, value: codec.encode(topics.blueprintHistory, blueprint) }],
    });
    await producer.send({
      topic: topics.blueprints.name,
      acks: -1,
      messages: [{ key: blueprint.name, value: codec.encode(topics.blueprints, blueprint) }],
    });
  } finally {
    await producer.disconnect();
  }
  return { blueprint, status: 'registered' };
}
