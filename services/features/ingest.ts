// Product events → per-entity feature states. Each batch: decode, apply every stream spec of the
// topic in event time, then write the changed states to the changelog and, with the offsets, to
// RocksDB. A record that cannot be decoded or validated goes to the dead-letter topic.
import type { KafkaMessage } from 'kafkajs';
import type { ServiceContext } from '../lib/runtime.js';
import type { DeadLetterSink } from '../lib/dead-letters.js';
import type { BatchInput, BatchOutput } from '../lib/stateful-consumer.js';
import { offsetKey } from '../lib/stateful-consumer.js';
import type { KeyValueStore } from '../lib/store/rocks.js';
import {
  ArrivalTally,
  applyEvent,
  arrivalOf,
  createFeatureState,
  decodeFeatureState,
  encodeFeatureState,
  extractEntity,
  extractEventTime,
  extractValue,
  featureArrivals,
  type FeatureState,
  type FeatureStreamPlan,
  type StreamSpec,
} from '../lib/features/index.js';
import type { FeatureScalar } from '../lib/feature-values.js';
import { decodeJsonEvent, decodeProductEvent } from '../lib/events.js';
import { looperCounter } from '../lib/observability/service-metrics.js';
import { topics } from '../../topology/topics.js';
import { sendInChunks } from '../lib/kafka.js';
import { FeatureStateCache, stateKey } from './state-cache.js';
import { changelogPartitionOf } from '../lib/store/changelog-restore.js';

export interface IngestStats {
  events: number;
  /** Applications of an event to a feature's aggregation (an event read by three counts three). */
  applied: number;
  /** Of the applied, those behind their partition's newest event time (within the lateness). */
  lateApplied: number;
  /** Applications refused as too late: beyond the lateness, or already out of the window. */
  late: number;
  deadLettered: number;
}

interface DecodedRecord {
  message: KafkaMessage;
  value: Record<string, unknown>;
  ts: number;
}

/** One feature state a batch touches: its store key, its spec, and the state being updated. */
interface StateSlot {
  key: string;
  spec: StreamSpec;
  state: FeatureState | null;
}

export function watermarkKey(topic: string, partition: number): string {
  return `~watermark/${topic}/${partition}`;
}

export function createIngest(
  ctx: ServiceContext,
  store: KeyValueStore,
  plan: () => FeatureStreamPlan,
  cache: FeatureStateCache,
  deadLetters: DeadLetterSink,
  changelogPartitions: number,
) {
  const watermarks = new Map<string, number>();
  const stats: IngestStats = { events: 0, applied: 0, lateApplied: 0, late: 0, deadLettered: 0 };
  const ingested = looperCounter(ctx.metrics, 'eventsIngested');
  const deadLettered = looperCounter(ctx.metrics, 'eventsDeadLettered');
  const featureEvents = looperCounter(ctx.metrics, 'featureEvents');
  /** Committed arrivals since the last take(): the service reports them on looper.metrics. */
  const arrivals = new ArrivalTally();

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
      await deadLetters.send(
        {
          sourceTopic: input.topic,
          partition: input.partition,
          offset: message.offset,
          key: message.key,
          payload: message.value ?? Buffer.alloc(0),
        },
        code,
        reason,
      );
    };

    // Decode every record first so that the states the batch touches are read in one multi-get.
    const events: DecodedRecord[] = [];
    for (const message of input.messages) {
      stats.events++;
      // Lookups share this event loop: a large batch (a backlog) must not starve them.
      if (stats.events % 256 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      const decoded =
        topicPlan.format === 'json'
          ? decodeJsonEvent(message.value)
          : await decodeProductEvent(message.value, topicPlan.format, ctx.registry);
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

    // Each spec of the topic takes an event it can read; a spec that cannot refuses it, and the
    // event goes to the dead-letter topic once, with the first spec's reason (a NaN amount is still
    // a purchase to count). Each (spec, entity) the batch touches gets one slot, found through one
    // map per spec: the state key is built once per slot, not once per event. Event e's slot and
    // value for spec i are at e * specCount + i; the slot is null where the spec refused it.
    const specs = topicPlan.specs;
    const specCount = specs.length;
    const bySpec = specs.map(() => new Map<string, StateSlot>());
    const touched: StateSlot[] = [];
    const slots: Array<StateSlot | null> = new Array(events.length * specCount).fill(null);
    const values: FeatureScalar[] = new Array(events.length * specCount).fill(null);
    for (let e = 0; e < events.length; e++) {
      const event = events[e]!;
      const key = event.message.key?.toString() ?? null;
      let refused: { code: string; reason: string } | null = null;
      for (let i = 0; i < specCount; i++) {
        const spec = specs[i]!;
        const entity = extractEntity(key, event.value, spec);
        if (!entity.ok) {
          refused ??= { code: entity.code, reason: `${entity.reason} (feature spec ${spec.id})` };
          continue;
        }
        const value = extractValue(event.value, spec);
        if (!value.ok) {
          refused ??= { code: value.code, reason: `${value.reason} (feature spec ${spec.id})` };
          continue;
        }
        let slot = bySpec[i]!.get(entity.value);
        if (slot === undefined) {
          slot = { key: stateKey(spec.id, entity.value), spec, state: null };
          bySpec[i]!.set(entity.value, slot);
          touched.push(slot);
        }
        slots[e * specCount + i] = slot;
        values[e * specCount + i] = value.value;
      }
      if (refused) await poison(event.message, refused.code, refused.reason);
    }
    // Fresh copies from the store, never the cached objects: a batch that fails half-way and is
    // retried must start again from the written state.
    const stored = await store.getMany(touched.map((slot) => slot.key));
    for (let t = 0; t < touched.length; t++) {
      const bytes = stored[t];
      touched[t]!.state = bytes ? decodeFeatureState(bytes) : createFeatureState(touched[t]!.spec);
    }

    const partitionKey = `${input.topic}/${input.partition}`;
    let watermark = watermarks.get(partitionKey) ?? (await storedWatermark(input.topic, input.partition));
    // Counted into the service's tally only once committed, so a retried batch counts once.
    const batchArrivals = new ArrivalTally();
    for (let e = 0; e < events.length; e++) {
      if (e % 1024 === 1023) await new Promise<void>((resolve) => setImmediate(resolve));
      const event = events[e]!;
      const newestBefore = watermark;
      for (let i = 0; i < specCount; i++) {
        const slot = slots[e * specCount + i];
        if (!slot) continue;
        watermark = Math.max(watermark, event.ts);
        const spec = slot.spec;
        const value = values[e * specCount + i]!;
        const result = applyEvent(slot.state!, spec, value, event.ts, watermark);
        const arrival = arrivalOf(result, event.ts, newestBefore);
        if (arrival !== null) batchArrivals.add(spec.id, arrival);
        if (result === 'applied') {
          stats.applied++;
          if (arrival === 'late_applied') stats.lateApplied++;
        } else if (result === 'late') stats.late++;
        else
          await poison(
            event.message,
            'wrong_type',
            `field "${spec.field}" is ${JSON.stringify(value)}, which ${spec.aggregate} cannot aggregate (feature spec ${spec.id})`,
          );
      }
    }
    watermarks.set(partitionKey, watermark);

    const put: Array<[string, Uint8Array]> = touched.map((slot) => [slot.key, encodeFeatureState(slot.state!)]);
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
        const messages = put.map(([key, value]) => ({
          key,
          value: Buffer.from(value.buffer, value.byteOffset, value.byteLength),
          partition,
        }));
        messages.push({ key: offsetKey(input.topic, input.partition), value: Buffer.from(nextOffset), partition });
        await sendInChunks(ctx.producer, topics.featureChangelog.name, messages);
      },
      afterWrite: async () => {
        for (const slot of touched) cache.set(slot.key, slot.state!);
        // Counted once committed, so a batch that fails and is retried counts once.
        ingested.inc({ topic: input.topic }, input.messages.length);
        arrivals.merge(batchArrivals);
        for (const f of featureArrivals(plan(), batchArrivals.bySpec)) {
          const labels = { topic: f.topic, blueprint: f.blueprint, feature: f.feature };
          featureEvents.inc({ ...labels, arrival: 'in_order' }, f.counts.inOrder);
          featureEvents.inc({ ...labels, arrival: 'late_applied' }, f.counts.lateApplied);
          featureEvents.inc({ ...labels, arrival: 'late_dropped' }, f.counts.lateDropped);
        }
      },
    };
  }

  /** Drops what it remembers of partitions' watermarks: after a restore the store is newer. */
  const forget = (): void => watermarks.clear();

  return { process, stats, forget, arrivals };
}
