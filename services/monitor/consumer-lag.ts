// How far each committing consumer group is behind the end of the topics it reads: the sum over
// partitions of (end offset − committed offset), or the whole partition when nothing is committed.
import type { Admin } from 'kafkajs';
import type { ConsumerLag } from './metric-records.js';

export async function consumerLag(admin: Admin, groups: readonly string[]): Promise<ConsumerLag[]> {
  const lags: ConsumerLag[] = [];
  const ends = new Map<string, Map<number, { high: bigint; low: bigint }>>();
  for (const group of groups) {
    for (const { topic, partitions } of await admin.fetchOffsets({ groupId: group })) {
      let end = ends.get(topic);
      if (!end) {
        end = new Map(
          (await admin.fetchTopicOffsets(topic)).map((o) => [
            o.partition,
            { high: BigInt(o.high), low: BigInt(o.low) },
          ]),
        );
        ends.set(topic, end);
      }
      let lag = 0n;
      for (const p of partitions) {
        const e = end.get(p.partition);
        if (!e) continue;
        const committed = p.offset === '-1' ? e.low : BigInt(p.offset);
        if (e.high > committed) lag += e.high - committed;
      }
      lags.push({ group, topic, lag: Number(lag) });
    }
  }
  return lags;
}
