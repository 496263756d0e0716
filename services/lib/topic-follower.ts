// Services whose inputs depend on the registered blueprints (product topics) run one consumer on
// the topics that exist now, and restart it when a blueprint or a newly created topic changes
// the set. Topics that do not exist yet are waited for, not auto-created.
import type { Admin } from 'kafkajs';
import { errorMessage } from './errors.js';

export interface TopicFollower {
  /** Re-reads the wanted topics now (call when blueprints change). */
  refresh(): Promise<void>;
  topics(): readonly string[];
  stop(): Promise<void>;
}

/** What the follower needs of a service: listing topics, and its log. */
export interface TopicFollowerContext {
  kafka: { admin(): Pick<Admin, 'connect' | 'listTopics' | 'disconnect'> };
  log(line: string): void;
}

export async function followTopics(
  ctx: TopicFollowerContext,
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

  const wantedNow = async () => {
    const existing = new Set(await admin.listTopics());
    const all = [...new Set(wanted())];
    return { next: all.filter((t) => existing.has(t)).sort(), missing: all.filter((t) => !existing.has(t)) };
  };
  const unchanged = (next: string[]) => next.join(',') === current.join(',') && settings() === currentSettings;

  const refresh = () =>
    (lock = lock
      .then(async () => {
        if (stopped || unchanged((await wantedNow()).next)) return;
        if (running) await running.stop();
        running = null;
        // Read again once the old consumer has stopped: a blueprint that came meanwhile joins this
        // start rather than costing another restart after it.
        const { next, missing } = await wantedNow();
        const nextSettings = settings();
        ctx.log(
          `consuming ${next.join(', ') || 'nothing yet'}${missing.length > 0 ? ` (waiting for ${missing.join(', ')} to exist)` : ''}`,
        );
        running = next.length > 0 ? await start(next) : null;
        // Only once started: a failed start leaves the follower unchanged, so the next check retries it.
        current = next;
        currentSettings = nextSettings;
      })
      .catch((error) => ctx.log(`topic refresh failed: ${errorMessage(error)}`)));

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
