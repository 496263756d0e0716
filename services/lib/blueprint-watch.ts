// Services follow the live blueprints by reading the compacted looper.blueprints topic from its
// start with a private, never-committing consumer group, then keep listening for new versions.
import { randomUUID } from 'node:crypto';
import type { Blueprint } from './schemas/generated.js';
import type { ServiceContext } from './runtime.js';
import { topics } from '../../topology/topics.js';
import { consumerDefaults } from './kafka.js';

export interface BlueprintWatch {
  /** The newest version of every blueprint seen so far. */
  current(): ReadonlyMap<string, Blueprint>;
  /** Resolves once every blueprint registered before the watch started has been read. */
  caughtUp: Promise<void>;
}

export async function watchBlueprints(
  ctx: ServiceContext,
  onChange: (bp: Blueprint) => void | Promise<void>,
): Promise<BlueprintWatch> {
  const blueprints = new Map<string, Blueprint>();
  const admin = ctx.kafka.admin();
  await admin.connect();
  const ends = new Map(
    (await admin.fetchTopicOffsets(topics.blueprints.name)).map((o) => [o.partition, BigInt(o.high)]),
  );
  await admin.disconnect();
  for (const [p, end] of ends) if (end === 0n) ends.delete(p);

  let markCaughtUp = () => undefined as void;
  const caughtUp = new Promise<void>((resolve) => (markCaughtUp = resolve));
  if (ends.size === 0) markCaughtUp();

  const groupId = `looper-${ctx.name}-blueprints-${randomUUID()}`;
  const consumer = ctx.kafka.consumer({ ...consumerDefaults, groupId });
  await consumer.connect();
  await consumer.subscribe({ topic: topics.blueprints.name, fromBeginning: true });
  ctx.onShutdown(async () => {
    await consumer.disconnect();
    const cleanup = ctx.kafka.admin();
    await cleanup.connect();
    await cleanup.deleteGroups([groupId]).catch(() => undefined);
    await cleanup.disconnect();
  });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ partition, message }) => {
      if (message.value) {
        const bp = await ctx.codec.decode<Blueprint>(topics.blueprints, message.value);
        const previous = blueprints.get(bp.name);
        if (!previous || previous.version < bp.version) {
          blueprints.set(bp.name, bp);
          await onChange(bp);
        }
      }
      const end = ends.get(partition);
      if (end !== undefined && BigInt(message.offset) + 1n >= end) {
        ends.delete(partition);
        if (ends.size === 0) markCaughtUp();
      }
    },
  });
  return { current: () => blueprints, caughtUp };
}
