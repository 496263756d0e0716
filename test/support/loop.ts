// What the decision-loop and fault tests share: the example blueprint made quick (30 s label
// window, models every 2 s), and the audit that the features service's state equals a
// recomputation from the product topics.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Admin, Kafka } from 'kafkajs';
import { readTopicToEnd } from '../../services/lib/kafka.js';
import { parseBlueprintYaml } from '../../services/lib/blueprint/parse.js';
import { topics } from '../../topology/topics.js';
import {
  applyEvent,
  createFeatureState,
  decodeFeatureState,
  extractEntity,
  extractEventTime,
  extractValue,
  planFeatureStreams,
  type FeatureState,
} from '../../services/lib/features/index.js';
import type { Blueprint, Example } from '../../services/lib/schemas/generated.js';
import type { TopicCodec } from '../../services/lib/topic-codec.js';
import { newestByKey } from '../../services/lib/store/changelog-restore.js';

export function loopBlueprint(name: string): Blueprint {
  const yaml = readFileSync('examples/notification_send.yaml', 'utf8')
    .replace(/^blueprint: notification_send\b/m, `blueprint: ${name}`)
    .replace(/^ {2}window: 30m\b/m, '  window: 30s')
    .replace(/^ {2}publish_every: 30s\b/m, '  publish_every: 2s')
    .replace(/^ {2}explore: 10%/m, '  explore: 4%');
  const result = parseBlueprintYaml(yaml);
  assert.ok(result.ok, result.ok ? '' : JSON.stringify(result.problems));
  return result.blueprint;
}

/** Records a consumer group has yet to read on `topicNames`. */
export async function groupLag(admin: Admin, groupId: string, topicNames: string[]): Promise<number> {
  let lag = 0;
  for (const topic of topicNames) {
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    for (const end of ends) {
      const at = committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
      lag += Number(end.high) - Math.max(0, Number(at));
    }
  }
  return lag;
}

/** Every entity state of `bp`'s stream features, as the product topics say it should be and as the changelog holds it. */
export async function featureStates(
  kafka: Kafka,
  bp: Blueprint,
): Promise<{ expected: Map<string, FeatureState>; actual: Map<string, FeatureState> }> {
  const plan = planFeatureStreams([bp]);
  const expected = new Map<string, FeatureState>();
  for (const topicPlan of plan.topics) {
    const watermarks = new Map<number, number>();
    for (const { partition, message } of await readTopicToEnd(kafka, topicPlan.topic, 300_000)) {
      const event = JSON.parse(message.value!.toString()) as Record<string, unknown>;
      const ts = extractEventTime(event, message.timestamp);
      if (!ts.ok) continue;
      const watermark = Math.max(watermarks.get(partition) ?? 0, ts.value);
      watermarks.set(partition, watermark);
      for (const spec of topicPlan.specs) {
        const entity = extractEntity(message.key?.toString() ?? null, event, spec);
        const value = extractValue(event, spec);
        if (!entity.ok || !value.ok) continue;
        const key = `s/${spec.id}/${entity.value}`;
        const state = expected.get(key) ?? createFeatureState(spec);
        applyEvent(state, spec, value.value, ts.value, watermark);
        expected.set(key, state);
      }
    }
  }
  const actual = new Map<string, FeatureState>();
  // The newest record of each key (a changelog written before scale-out may also hold an older one in another partition).
  for (const [key, { value }] of newestByKey(await readTopicToEnd(kafka, topics.featureChangelog.name, 300_000))) {
    if (value && key.startsWith('s/') && plan.specs.has(key.slice(2, key.lastIndexOf('/'))))
      actual.set(key, decodeFeatureState(value));
  }
  return { expected, actual };
}

/**
 * Examples per decision id of `blueprint` since `fromTs`, read once the joiner has stopped emitting
 * them (two reads 5 s apart agree, within `timeoutMs`): after faults it may still be closing the
 * windows of a backlog when its consumer lag is already zero.
 */
export async function settledExamples(
  kafka: Kafka,
  codec: TopicCodec,
  blueprint: string,
  fromTs: number,
  timeoutMs = 120_000,
): Promise<Map<string, number>> {
  const read = async () => {
    const examples = new Map<string, number>();
    for (const { message } of await readTopicToEnd(kafka, topics.examples.name, 300_000, fromTs)) {
      const e = await codec.decode<Example>(topics.examples, message.value!);
      if (e.blueprint === blueprint) examples.set(e.decisionId, (examples.get(e.decisionId) ?? 0) + 1);
    }
    return examples;
  };
  const until = Date.now() + timeoutMs;
  let previous = await read();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const current = await read();
    const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
    if (total(current) === total(previous) || Date.now() > until) return current;
    previous = current;
  }
}
