// A private, never-committing consumer on a compacted topic, from its start: the way a stateless
// service rebuilds its view of looper.models or looper.deployments. Shared with the trainer; it
// belongs in services/lib/ (see the trainer's imports).
import { randomUUID } from 'node:crypto';
import type { ServiceContext } from '../runtime.js';
import type { TopicSpec } from '../../../topology/topics.js';

/** Keeps a private, never-committing consumer on a compacted topic from its start. */
export async function followTopic(ctx: ServiceContext, topic: TopicSpec, onRecord: (value: Buffer) => Promise<void> | void): Promise<void> {
  const groupId = `looper-${ctx.name}-${topic.name}-${randomUUID()}`;
  const consumer = ctx.kafka.consumer({ groupId, allowAutoTopicCreation: false });
  await consumer.connect();
  await consumer.subscribe({ topic: topic.name, fromBeginning: true });
  ctx.onShutdown(async () => {
    await consumer.disconnect();
    const admin = ctx.kafka.admin();
    await admin.connect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ message }) => {
      if (message.value) await onRecord(message.value);
    },
  });
}
