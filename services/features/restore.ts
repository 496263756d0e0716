// A features store that starts on an empty disk rebuilds itself from the compacted changelog:
// every entity's latest state and the input offsets they were computed up to.
import type { ServiceContext } from '../lib/runtime.js';
import type { KeyValueStore } from '../lib/store/rocks.js';
import { readTopicToEnd } from '../lib/kafka.js';
import { topics } from '../../topology/topics.js';

const RESTORED = '~restored';

export async function restoreFromChangelog(ctx: ServiceContext, store: KeyValueStore): Promise<number> {
  if (await store.get(RESTORED)) return 0;
  const started = Date.now();
  const records = await readTopicToEnd(ctx.kafka, topics.featureChangelog.name, 600_000);
  const latest = new Map<string, Buffer>();
  for (const { message } of records) if (message.key && message.value) latest.set(message.key.toString(), message.value);
  const put: Array<[string, Uint8Array]> = [...latest];
  for (let i = 0; i < put.length; i += 10_000) await store.write({ put: put.slice(i, i + 10_000), del: [] });
  await store.write({ put: [[RESTORED, Buffer.from(String(Date.now()))]], del: [] });
  if (latest.size > 0) ctx.log(`rebuilt ${latest.size} records from ${topics.featureChangelog.name} in ${Date.now() - started} ms`);
  return latest.size;
}
