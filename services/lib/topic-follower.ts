// Services whose inputs depend on the registered blueprints (product topics) run one consumer on
// the topics that exist now, and restart it when a blueprint or a newly created topic changes
// the set. Topics that do not exist yet are waited for, not auto-created.
import type { ServiceContext } from './runtime.js';
import { errorMessage } from './errors.js';

export interface TopicFollower {
  /** Re-reads the wanted topics now (call when blueprints change). */
  refresh(): Promise<void>;
  topics(): readonly string[];
  stop(): Promise<void>;
}

export async function followTopics(
  ctx: ServiceContext,
  wanted: () => string[],
  start: (topics: string[]) => Promise<{ stop(): Promise<void> }>,
  /** Anything else that needs a restart when it changes (e.g. how the consumer is configured). */
  settings: () => string = () => '',
  recheckMs = 5000,
): Promise<TopicFollower> {
  const admin = ctx.kafka.admin();
  await admin.connect();
  let current: string[] = [];
  let currentSettings = settings();
  let running: { stop(): Promise<void> } | null = null;
  let lock: Promise<void> = Promise.resolve();
  let stopped = false;

  const refresh = () =>
    (lock = lock.then(async () => {
      if (stopped) return;
      const existing = new Set(await admin.listTopics());
      const next = [...new Set(wanted())].filter((t) => existing.has(t)).sort();
      const missing = [...new Set(wanted())].filter((t) => !existing.has(t));
      if (next.join(',') === current.join(',') && settings() === currentSettings) return;
      if (running) await running.stop();
      current = next;
      currentSettings = settings();
      ctx.log(`consuming ${next.join(', ') || 'nothing yet'}${missing.length > 0 ? ` (waiting for ${missing.join(', ')} to exist)` : ''}`);
      running = next.length > 0 ? await start(next) : null;
    }).catch((error) => ctx.log(`topic refresh failed: ${errorMessage(error)}`)));

  await refresh();
  const timer = setInterval(() => void refresh(), recheckMs);
  timer.unref();
  return {
    refresh,
    topics: () => current,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await lock;
      if (running) await running.stop();
      await admin.disconnect();
    },
  };
}
