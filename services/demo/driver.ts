// The demo product: a simulated app that publishes events, asks Looper whether to send each
// notification, and reports what the user did — with a known truth to score Looper against.
import type { Kafka, Producer } from 'kafkajs';
import type { LooperConfig } from '../lib/config.js';
import { createKafkaClient, producerDefaults } from '../lib/kafka.js';
import { DATA_PARTITIONS } from '../../topology/topics.js';
import { createSimulator, createRandom, productTopics, type ProductEvent } from '../lib/simulator/index.js';
import { pollUntil } from '../lib/poll.js';
import { spanText } from '../lib/duration-text.js';
import { LooperClient, type Decision } from '../sdk/index.js';
import { historyGap, newestRecordTime } from './history.js';
import { summarize, type ScoredDecision, type Scoreboard } from './scoreboard.js';

export interface DemoOptions {
  blueprint: string;
  /**
   * The simulated users. Every run on the same topics must use the same seed: a user's events
   * already in the topics were made by the traits this seed gives them.
   */
  seed: number;
  users: number;
  decidesPerSecond: number;
  /** Time runs this many times faster than real time for outcome delays and live product events. */
  speed: number;
  /** The blueprint's threshold, for the oracle. */
  threshold: number;
  /** Hours of past events published first, so stream features have history. */
  historyHours: number;
  /** Decisions summarised by each scoreboard. */
  window: number;
}

export const demoDefaults: DemoOptions = {
  blueprint: 'notification_send',
  seed: 42,
  users: 2000,
  decidesPerSecond: 100,
  speed: 20,
  threshold: 0.3,
  historyHours: 24,
  window: 3000,
};

/** One decision as the product saw it, for callers that audit the run (tests). */
export interface DemoDecision extends ScoredDecision {
  decisionId: string | null;
  fallbackReason: string | null;
  /** The model version that scored it; null before any model. */
  model: string | null;
}

export interface DemoHooks {
  log: (line: string) => void;
  onDecision?: (decision: DemoDecision) => void;
}

export type DemoFailure = 'decide' | 'outcome' | 'event';
/** Reasons kept of each kind of failure. */
const REASONS_KEPT = 5;

export interface DemoRun {
  /** Stops publishing product events (decisions go on). */
  pauseEvents(): void;
  /** The latest scoreboard over the most recent `window` decisions. */
  board(): Scoreboard;
  decisions(): number;
  errors(): number;
  /** The failures by what failed: a decide (no answer at all), an outcome report, a product event publish. */
  failures(): Readonly<Record<DemoFailure, number>>;
  /** The first few reasons of each kind of failure, with when they happened (for an audit's log). */
  failureReasons(): Readonly<Record<DemoFailure, readonly string[]>>;
  /** Stops deciding and reporting once (a second call waits for the first): returns once the calls in flight settled. */
  /**
   * Stops deciding and publishing. Outcomes still being tried again while Looper is away end at
   * their next try (Ctrl-C), unless `settleMs` lets them finish first, for at most that long (an
   * audit that counts every outcome).
   */
  stop(options?: { settleMs?: number }): Promise<void>;
}

/** Creates the simulated app's topics when missing. */
export async function ensureProductTopics(config: LooperConfig): Promise<void> {
  const admin = createKafkaClient(config, { clientId: 'looper-demo' }).admin();
  await admin.connect();
  const existing = new Set(await admin.listTopics());
  const missing = Object.values(productTopics).filter((t) => !existing.has(t));
  if (missing.length > 0)
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => ({ topic, numPartitions: DATA_PARTITIONS })),
    });
  await admin.disconnect();
}

async function missingHistory(kafka: Kafka, hours: number): Promise<{ fromMs: number; toMs: number } | null> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const now = Date.now();
    const from = now - hours * 3_600_000;
    const newest = await Promise.all(
      [productTopics.opens, productTopics.sessions].map((topic) => newestRecordTime(admin, topic, from, now)),
    );
    return historyGap(
      newest.reduce<number | null>((a, b) => (b === null ? a : Math.max(a ?? b, b)), null),
      now,
      hours,
    );
  } finally {
    await admin.disconnect();
  }
}

/**
 * How long the simulated app keeps its events while Kafka is away, as a product's producer would:
 * kafkajs's own retries gave up at once on "connection refused" while a broker restarted (the fault
 * suite: 61 events lost in one millisecond of a 9 s restart).
 */
const EVENT_RETRY_MS = 60_000;

async function publish(producer: Producer, events: readonly ProductEvent[]): Promise<void> {
  const byTopic = new Map<string, Array<{ key: string; value: string; timestamp: string }>>();
  for (const e of events) {
    const list = byTopic.get(e.topic) ?? [];
    list.push({ key: e.key, value: JSON.stringify({ ...e.value, ts: e.ts }), timestamp: String(e.ts) });
    byTopic.set(e.topic, list);
  }
  const batch = { acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) };
  const giveUpAt = Date.now() + EVENT_RETRY_MS;
  for (let wait = 500; ; wait = Math.min(2 * wait, 4000)) {
    try {
      await producer.sendBatch(batch);
      return;
    } catch (error) {
      if (Date.now() + wait > giveUpAt) throw error;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

export async function startDemo(config: LooperConfig, options: DemoOptions, hooks: DemoHooks): Promise<DemoRun> {
  const log = hooks.log;
  const sim = createSimulator({ seed: options.seed, users: options.users });
  const random = createRandom(options.seed + 1);
  await ensureProductTopics(config);
  const kafka = createKafkaClient(config, { clientId: 'looper-demo' });
  // As a product would: its events outlast a broker restart (kafkajs's default 5 retries give up
  // after about 9 s; these after about 38).
  const producer = kafka.producer({ ...producerDefaults, retry: { retries: 7 } });
  await producer.connect();
  // Outcomes outlast a broker restart too (the SDK's 15 s did not, against one of 18 s).
  const client = await LooperClient.connect({ ...config, deadlineMs: 100, outcomeRetryMs: 60_000 });

  // History fills the time since the newest event already published (all of it into new topics): the
  // features need a full window of each user's past, and older events than they saw would be late.
  // Asked again for up to a minute: on a freshly started broker a new topic's partitions can answer
  // "not the leader" for a few seconds after their creation, longer than kafkajs's own retries wait.
  const gap = await pollUntil(
    'the product topics to answer for their history',
    60_000,
    () => missingHistory(kafka, options.historyHours),
    1000,
  );
  if (gap !== null) {
    const history = sim.eventsBetween(gap.fromMs, gap.toMs);
    for (let i = 0; i < history.length; i += 2000) await publish(producer, history.slice(i, i + 2000));
    log(`published ${history.length} events of history (${spanText(gap.toMs - gap.fromMs)} of ${options.users} users)`);
  }

  const recent: ScoredDecision[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let decided = 0;
  let errors = 0;
  const failures: Record<DemoFailure, number> = { decide: 0, outcome: 0, event: 0 };
  const reasons: Record<DemoFailure, string[]> = { decide: [], outcome: [], event: [] };
  const failed = (what: DemoFailure, error?: unknown) => {
    errors++;
    failures[what]++;
    if (reasons[what].length < REASONS_KEPT)
      reasons[what].push(
        `${new Date().toISOString().slice(11, 23)} ${error instanceof Error ? error.message : String(error)}`,
      );
  };
  let stopped = false;
  let stopping: Promise<void> | undefined;
  /** Outcomes being reported (tried again while Looper is away), which a stop may wait for. */
  const reporting = new Set<Promise<void>>();
  let eventsPaused = false;

  async function decideOne(): Promise<void> {
    const at = Date.now();
    const request = sim.nextDecideRequest(at);
    let decision: Decision;
    try {
      decision = await client.decide(
        options.blueprint,
        request.entity,
        { ...request.context },
        { fallbackAction: 'skip' },
      );
    } catch (error) {
      failed('decide', error);
      if (errors <= 5) log(`decide failed: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    decided++;
    const truth = sim.clickProbability(request.entity, request.context);
    const sent = decision.action === 'send';
    const outcome = sim.outcomeFor(request.entity, request.context, decision.action, random.next());
    const scored: ScoredDecision = {
      at,
      fallback: decision.fallback,
      score: decision.score,
      sent,
      truth,
      oracleSends: truth >= options.threshold,
      outcome,
      explored: decision.explored === true,
    };
    recent.push(scored);
    hooks.onDecision?.({
      ...scored,
      decisionId: decision.decisionId,
      fallbackReason: decision.fallbackReason ?? null,
      model: decision.model,
    });
    if (recent.length > options.window) recent.splice(0, recent.length - options.window);
    const unsubscribes = sim.guardrailEventsFor(request.entity, request.context, decision.action, at, random.next());
    // Counted like the other publishes when Kafka cannot take them: decideOne runs unawaited, so a
    // rejection here would be unhandled (a fault-suite run's broker restart outlasted kafkajs's retries).
    if (unsubscribes.length > 0)
      await publish(producer, unsubscribes).catch((error: unknown) => failed('event', error));
    if (sent && decision.decisionId && !stopped) {
      // The app reports an open when the user clicks, a dismissal otherwise.
      const delay = (outcome === 1 ? sim.clickDelayMs(random.next()) : 30_000) / options.speed;
      const id = decision.decisionId;
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (stopped) return;
        const reported: Promise<void> = client
          .outcome(id, outcome)
          .catch((error: unknown) => failed('outcome', error))
          .finally(() => reporting.delete(reported));
        reporting.add(reported);
      }, delay);
      timers.add(timer);
    }
  }

  // Live events at the users' own daily rates, sped up like the outcomes.
  const eventsPerSecond =
    (sim.users.reduce((sum, u) => sum + u.opensPerDay + u.sessionsPerDay, 0) / 86_400) * options.speed;
  const tickMs = 100;
  let carry = 0;
  let eventCarry = 0;
  const loop = setInterval(() => {
    const t = Date.now();
    eventCarry += (eventsPerSecond * tickMs) / 1000;
    const eventCount = Math.floor(eventCarry);
    eventCarry -= eventCount;
    if (!eventsPaused && eventCount > 0)
      void publish(producer, sim.nextEvents(t, eventCount)).catch((error: unknown) => failed('event', error));
    carry += (options.decidesPerSecond * tickMs) / 1000;
    const count = Math.floor(carry);
    carry -= count;
    for (let i = 0; i < count; i++) {
      void decideOne().catch((error: unknown) => {
        failed('decide', error);
        if (errors <= 5) log(`decide step failed: ${error instanceof Error ? error.message : String(error)}`);
      });
    }
  }, tickMs);

  return {
    pauseEvents: () => void (eventsPaused = true),
    board: () => summarize(recent, Date.now(), options.threshold),
    decisions: () => decided,
    errors: () => errors,
    failures: () => ({ ...failures }),
    failureReasons: () => ({ decide: [...reasons.decide], outcome: [...reasons.outcome], event: [...reasons.event] }),
    stop({ settleMs = 0 } = {}) {
      stopping ??= (async () => {
        stopped = true;
        clearInterval(loop);
        for (const timer of timers) clearTimeout(timer);
        if (settleMs > 0 && reporting.size > 0) {
          let waited: NodeJS.Timeout | undefined;
          await Promise.race([
            Promise.allSettled([...reporting]),
            new Promise((resolve) => (waited = setTimeout(resolve, settleMs))),
          ]);
          clearTimeout(waited);
        }
        // Waits for the decides and outcomes in flight (an outcome being tried again stops at its next try).
        await client.close();
        await producer.disconnect();
      })();
      return stopping;
    },
  };
}

export function formatBoard(board: Scoreboard, modelNote: string): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  return [
    `${board.perSecond.toFixed(0)} decisions/s`,
    `fallbacks ${pct(board.fallbackShare)}`,
    `served AUC ${board.servedAuc === null ? '—' : board.servedAuc.toFixed(3)}`,
    `net clicks/decision ${board.policyRate.toFixed(3)} (oracle ${board.oracleRate.toFixed(3)}, default ${board.defaultRate.toFixed(3)})`,
    `lift reached ${board.liftShare === null ? '—' : pct(board.liftShare)}` +
      ` (its own choices ${board.ownLiftShare === null ? '—' : pct(board.ownLiftShare)}, ${pct(board.exploredShare)} explored)`,
    modelNote,
  ].join(' · ');
}
