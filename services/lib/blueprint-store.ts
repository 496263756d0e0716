// Blueprints on Kafka: every version on looper.blueprints.history, the live one on the compacted
// looper.blueprints (both keyed by name), encoded with the registered Blueprint schema (Confluent wire format).
import type { Kafka, Producer } from 'kafkajs';
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { stringify } from 'yaml';
import type { Blueprint } from './schemas/generated.js';
import { createTopicCodec, type TopicCodec } from './topic-codec.js';
import { producerDefaults, readTopicToEnd } from './kafka.js';
import { LooperError, NotFoundError } from './errors.js';
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

/**
 * Every registered version of every blueprint, oldest first. A version number recorded twice for a
 * name (two registrations at once both read the same history and took the same next number)
 * belongs to the first record on the single-partition history topic: the later one is void, and
 * its registration tried again with the next number (registerBlueprint).
 */
export async function readBlueprintHistory(store: BlueprintStore): Promise<Blueprint[]> {
  return (await readHistoryRecords(store)).map((r) => r.blueprint);
}

async function readHistoryRecords(store: BlueprintStore): Promise<Array<{ offset: string; blueprint: Blueprint }>> {
  const codec = await blueprintCodec(store);
  const taken = new Set<string>();
  const versions: Array<{ offset: string; blueprint: Blueprint }> = [];
  for (const { message } of await readTopicToEnd(store.kafka, topics.blueprintHistory.name)) {
    if (!message.value) continue;
    const blueprint = await codec.decode<Blueprint>(topics.blueprintHistory, message.value);
    const id = `${blueprint.name}\u0000${blueprint.version}`;
    if (taken.has(id)) continue;
    taken.add(id);
    versions.push({ offset: message.offset, blueprint });
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

/**
 * Registrations of one blueprint that may lose their version number to another at once, in a row.
 * Registrations that read the history together take the same number and exactly one wins it, so n
 * at once need up to n tries: 5 let only 5 of 10 at once through (the other 5 failed as conflict,
 * test/integration/blueprint.test.ts); 12 cover ten at once with room, and the waits between tries
 * (random, growing) spread the losers so that fewer read the history at the same moment again.
 */
const MAX_REGISTER_ATTEMPTS = 12;
/** The longest wait before the next try grows by this each lost try (ms), drawn uniformly below it. */
const RETRY_JITTER_MS = 50;

/**
 * Makes the newest version in the history the live one: the last record of its name on the
 * compacted live topic, which is what a service that starts later reads. Checking "newest" and
 * writing are two steps, so a registration that checked before a newer one was registered could
 * write after it, and leave the older version live; so after each write the history is read again,
 * and a version newer than the one written is written after it. A registration's last write is then
 * never older than a version whose history record preceded it, and the newest registration's own
 * write follows its history record.
 */
async function publishNewest(
  store: BlueprintStore,
  producer: Producer,
  codec: TopicCodec,
  name: string,
  history: ReadonlyArray<{ blueprint: Blueprint }>,
): Promise<void> {
  let written = 0;
  for (let records = history; ; records = await readHistoryRecords(store)) {
    const newest = latestVersions(records.map((r) => r.blueprint)).get(name)!;
    if (newest.version <= written) return;
    await producer.send({
      topic: topics.blueprints.name,
      acks: -1,
      messages: [{ key: name, value: codec.encode(topics.blueprints, newest) }],
    });
    written = newest.version;
  }
}

/**
 * Registers a compiled blueprint as the next version of its name. Two registrations at once cannot
 * both get a number: the history decides (readBlueprintHistory), and the one that lost tries again.
 */
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
  const codec = await blueprintCodec(store);
  const producer = store.kafka.producer({ ...producerDefaults, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    for (let attempt = 1; ; attempt++) {
      const history = await readBlueprintHistory(store);
      const previous = latestVersions(history).get(compiled.name);
      if (previous && canonicalYaml(previous) === canonicalYaml(compiled))
        return { blueprint: previous, status: 'unchanged' };
      const blueprint: Blueprint = { ...compiled, version: (previous?.version ?? 0) + 1, registeredAt: now };
      // History first: a version is never live without being in the history.
      const [written] = await producer.send({
        topic: topics.blueprintHistory.name,
        acks: -1,
        messages: [{ key: blueprint.name, value: codec.encode(topics.blueprintHistory, blueprint) }],
      });
      // The first record of a version number owns it: read back whether ours is that record.
      const after = await readHistoryRecords(store);
      const owner = after.find((r) => r.blueprint.name === blueprint.name && r.blueprint.version === blueprint.version);
      if (owner?.offset !== written?.baseOffset) {
        if (attempt < MAX_REGISTER_ATTEMPTS) {
          await new Promise((resolve) => setTimeout(resolve, Math.random() * RETRY_JITTER_MS * attempt));
          continue;
        }
        throw new LooperError(
          'conflict',
          `blueprint "${blueprint.name}": ${MAX_REGISTER_ATTEMPTS} registrations in a row lost version ${blueprint.version} to another registered at the same moment; register again`,
          { retriable: true },
        );
      }
      await publishNewest(store, producer, codec, blueprint.name, after);
      return { blueprint, status: 'registered' };
    }
  } finally {
    await producer.disconnect();
  }
}
