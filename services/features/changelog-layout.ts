// The changelog's layout: since scale-out, a state lives in the changelog partition of the input
// partition that feeds it (restore.ts). Before, records were placed by a hash of their key, so a
// changelog written by an older Looper has states where no restore of their partition finds them.
// Once per changelog, before consuming, the newest record of each misplaced key is written again
// to its home partition and a marker says the layout is current; the local store remembers having
// seen the marker, so this read happens once per disk.
//
// Two instances upgraded at the very same moment could both migrate; their copies are the same
// newest records, but start the first upgraded instance alone.
import type { Kafka, Producer } from 'kafkajs';
import type { KeyValueStore } from '../lib/store/rocks.js';
import type { FeatureStreamPlan } from '../lib/features/index.js';
import { readTopicToEnd, partitionCounts, sendInChunks } from '../lib/kafka.js';
import { partitionOfKey } from '../lib/partitioning/key-partition.js';
import { topics } from '../../topology/topics.js';
import { changelogPartitionOf, newestByKey } from '../lib/store/changelog-restore.js';

export const LAYOUT_KEY = '~layout';
export const LAYOUT = 'input-partition/1';

/**
 * The changelog partition a record of `key` belongs in, or null for a key it cannot place (the
 * state of an aggregation no blueprint declares any more, or a topic that is gone).
 */
export function homePartition(
  key: string,
  plan: FeatureStreamPlan,
  topicPartitions: ReadonlyMap<string, number>,
  changelogPartitions: number,
): number | null {
  if (key.startsWith('s/')) {
    const slash = key.indexOf('/', 2);
    const spec = plan.specs.get(key.slice(2, slash));
    const inputPartitions = spec ? topicPartitions.get(spec.topic) : undefined;
    if (!spec || inputPartitions === undefined) return null;
    return changelogPartitionOf(partitionOfKey(key.slice(slash + 1), inputPartitions), changelogPartitions);
  }
  const positional = /^~(?:offset|watermark)\/.+\/(\d+)$/.exec(key);
  return positional ? changelogPartitionOf(Number(positional[1]), changelogPartitions) : null;
}

export async function ensureChangelogLayout(
  kafka: Kafka,
  producer: Producer,
  store: KeyValueStore,
  plan: FeatureStreamPlan,
  changelogPartitions: number,
  log: (line: string) => void,
): Promise<void> {
  if ((await store.get(LAYOUT_KEY))?.toString() === LAYOUT) return;
  const records = await readTopicToEnd(kafka, topics.featureChangelog.name, 600_000);
  const current = records.some(
    ({ message }) => message.key?.toString() === LAYOUT_KEY && message.value?.toString() === LAYOUT,
  );
  if (!current && records.length > 0) {
    const admin = kafka.admin();
    await admin.connect();
    const topicPartitions = await partitionCounts(
      admin,
      plan.topics.map((t) => t.topic),
    ).finally(() => admin.disconnect());
    const moved: Array<{ key: string; value: Buffer | null; partition: number }> = [];
    for (const [key, { partition, value }] of newestByKey(records)) {
      const home = homePartition(key, plan, topicPartitions, changelogPartitions);
      if (home !== null && home !== partition) moved.push({ key, value, partition: home });
    }
    await sendInChunks(producer, topics.featureChangelog.name, moved);
    await producer.send({
      topic: topics.featureChangelog.name,
      acks: -1,
      messages: [{ key: LAYOUT_KEY, value: LAYOUT, partition: 0 }],
    });
    log(
      `changelog layout: ${moved.length} of its states moved to the partition of their input (read ${records.length} records)`,
    );
  }
  await store.write({ put: [[LAYOUT_KEY, Buffer.from(LAYOUT)]], del: [] });
}
