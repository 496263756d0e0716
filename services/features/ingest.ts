// Product events → per-entity feature states. Each batch: decode, apply every stream spec of the
// topic in event time, then write the changed states to the changelog and, with the offsets, to
// RocksDB. A record that cannot be decoded or validated goes to the dead-letter topic.
import type { KafkaMessage } from 'kafkajs';
import type { ServiceContext } from '../lib/runtime.js';
import type { DeadLetterSink } from '../lib/dead-letters.js';
import type { BatchInput, BatchOutput } from '../lib/stateful-consumer.js';
import { offsetKey } from '../lib/stateful-consumer.js';
import type { KeyValueStore } from '../lib/store/rocks.js';
import { applyEvent, createFeatureState, decodeFeatureState, encodeFeatureState, extractEntity, extractEventTime, extractValue, type FeatureState, type FeatureStreamPlan } from '../lib/features/index.js';
import { decodeJsonEvent, decodeProductEvent } from '../lib/events.js';
import { looperCounter } from '../lib/observability/service-metrics.js';
import { topics } from '../../topology/topics.js';
import { sendInChunks } from '../lib/kafka.js';
import { FeatureStateCache, stateKey } from './state-cache.js';
import { changelogPartitionOf } from '../lib/store/changelog-restore.js';

export interface IngestStats {
  events: number;
  applied: number;
  late: number;
  deadLettered: number;
}

export function watermarkKey(topic: string, partition: number): string {
  return `~watermark/${topic}/${partition}`;
}

export function createIngest(ctx: ServiceContext, store: KeyValueStore, plan: () => FeatureStreamPlan, cache: FeatureStateCache, deadLetters: DeadLetterSink, changelogPartitions: number) {
  const watermarks = new Map<string, number>();
  const stats: IngestStats = { events: 0, applied: 0, late: 0, deadLettered: 0 };
  const ingested = looperCounter(ctx.metrics, 'eventsIngested');
  const deadLettered = looperCounter(ctx.metrics, 'eventsDeadLettered');

  async function storedWatermark(topic: string, partition: number): Promise<number> {
    const bytes = await store.get(watermarkKey(topic, partition));
    return bytes ? Number(bytes.toString()) : 0;
  }

  async function process(input: BatchInput): Promise<BatchOutput> {
    const topicPlan = plan().topics.find((t) => t.topic === input.topic);
    if (!topicPlan) return { put: [], del: [] };
    const poison = async (message: KafkaMessage, code: string, reason: string) => {
      stats.deadLettered++;
      deadLettered.inc({ topic: input.topic });
      await deadLetters.send({ sourceTopic: input.topic, partition: input.partition, offset: message.offset, key: message.key, payload: message.value ?? Buffer.alloc(0) }, code, reason);
    };

    // Decode every record first so that the states the batch touches are read in one multi-get.
    const events: Array<{ message: KafkaMessage; value: Record<string, unknown>; ts: number }> = [];
    for (const message of input.messages) {
      stats.events++;
      // Lookups share this event loop: a large batch (a backlog) must not starve them.
      if (stats.events % 256 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      const decoded = topicPlan.format === 'json' ? decodeJsonEvent(message.value) : await decodeProductEvent(message.value, topicPlan.format, ctx.registry);
      if (!decoded.ok) {
        await poison(message, decoded.code, decoded.reason);
        continue;
      }
      const ts = extractEventTime(decoded.value, message.timestamp);
      if (!ts.ok) {
        await poison(message, ts.code, ts.reason);
        continue;
      }
      events.push({ message, value: decoded.value, ts: ts.value });
    }

    const touched = new Map<string, FeatureState>();
    const keysWanted = new Set<string>();
    const applications: Array<{ key: string; specIndex: number; event: (typeof events)[number] }> = [];
    for (const event of events) {
      const key = event.message.key?.toString() ?? null;
      for (let i = 0; i < topicPlan.specs.length; i++) {
        const spec = topicPlan.specs[i]!;
        const entity = extractEntity(key, event.value, spec);
        if (!entity.ok) {
          await poison(event.message, entity.code, `${entity.reason} (feature spec ${spec.id})`);
          break;
        }
        const stateId = stateKey(spec.id, entity.value);
        keysWanted.add(stateId);
        applications.push({ key: stateId, specIndex: i, event });
      }
    }
    // Fresh copies from the store, never the cached objects: a batch that fails half-way and is
    // retried must start again from the written state.
    const wanted = [...keysWanted];
    const stored = await store.getMany(wanted);
    wanted.forEach((key, i) => {
      const bytes = stored[i];
      if (bytes) touched.set(key, decodeFeatureState(bytes));
    });

    const partitionKey = `${input.topic}/${input.partition}`;
    let watermark = watermarks.get(partitionKey) ?? (await storedWatermark(input.topic, input.partition));
    const poisoned = new Set<KafkaMessage>();
    for (let a = 0; a < applications.length; a++) {
      const { key, specIndex, event } = applications[a]!;
      if (a % 1024 === 1023) await new Promise<void>((resolve) => setImmediate(resolve));
      if (poisoned.has(event.message)) continue;
      const spec = topicPlan.specs[specIndex]!;
      const value = extractValue(event.value, spec);
      if (!value.ok) {
        poisoned.add(event.message);
        await poison(event.message, value.code, `${value.reason} (feature spec ${spec.id})`);
        continue;
      }
      let state = touched.get(key);
      if (!state) {
        state = createFeatureState(spec);
        touched.set(key, state);
      }
      watermark = Math.max(watermark, event.ts);
      const result = applyEvent(state, spec, value.value, event.ts, watermark);
      if (result === 'applied') stats.applied++;
      else if (result === 'late') stats.late++;
      else {
        poisoned.add(event.message);
        await poison(event.message, 'wrong_type', `field "${spec.field}" is ${JSON.stringify(value.value)}, which ${spec.aggregate} cannot aggregate (feature spec ${spec.id})`);
      }
    }
    watermarks.set(partitionKey, watermark);

    const put: Array<[string, Uint8Array]> = [...touched].map(([key, state]) => [key, encodeFeatureState(state)]);
    // The watermark is state too: a restarted instance must judge lateness as an uninterrupted one would.
    put.push([watermarkKey(input.topic, input.partition), Buffer.from(String(watermark))]);
    const last = input.messages[input.messages.length - 1]!;
    const nextOffset = (BigInt(last.offset) + 1n).toString();
    return {
      put,
      del: [],
      // The changelog is written first: replaying a batch after a crash rewrites it identically,
      // and a store rebuilt from it resumes from the offset recorded with the states.
      beforeWrite: async () => {
        // The input partition's changelog partition: whoever is given this partition next restores it.
        const partition = changelogPartitionOf(input.partition, changelogPartitions);
        const messages = put.map(([key, value]) => ({ key, value: Buffer.from(value), partition }));
        messages.push({ key: offsetKey(input.topic, input.partition), value: Buffer.from(nextOffset), partition });
        await sendInChunks(ctx.producer, topics.featureChangelog.name, messages);
      },
      afterWrite: async () => {
        for (const [key, state] of touched) cache.set(key, state);
        // Counted once committed, so a batch that fails and is retried counts once.
        ingested.inc({ topic: input.topic }, input.messages.length);
      },
    };
  }

  /** Drops what it remembers of partitions' watermarks: after a restore the store is newer. */
  const forget = (): void => watermarks.clear();

  return { process, stats, forget };
}
