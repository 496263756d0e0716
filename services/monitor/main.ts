// The monitor service: watches every blueprint's decisions, examples and guardrail events, and
// each tick publishes what it measured to looper.metrics, raises and clears looper.alerts by the
// blueprints' monitoring rules, updates its Prometheus gauges and pushes the dashboard's overview.
// It keeps no state of its own: on start it re-reads the last minutes of decisions and examples,
// and the alerts still open.
import { homedir } from 'node:os';
import { randomUUID } from 'node:crypto';
import { compileConfig } from '../lib/config.js';
import { startServiceContext } from '../lib/runtime.js';
import { watchBlueprints } from '../lib/blueprint-watch.js';
import { readTopicToEnd } from '../lib/kafka.js';
import { errorMessage } from '../lib/errors.js';
import { repeatAfter } from '../lib/repeat.js';
import { followDecoded } from '../lib/serving/follow-topic.js';
import { createDeadLetterSink } from '../lib/dead-letters.js';
import { consumerGroups } from '../lib/names.js';
import { parseProfile } from '../lib/monitoring/profile.js';
import type { Alert, Decision, Deployment, Example, Metric, ModelVersion } from '../lib/schemas/generated.js';
import type { SearchRecordJson } from '../automl/search-record.js';
import { topics } from '../../topology/topics.js';
import { BlueprintMonitor } from './blueprint-monitor.js';
import type { BlueprintMeasures, ModelInfo } from './measures.js';
import { BlueprintAlerts } from './alert-rules.js';
import { lagRecords, metricRecords, type ConsumerLag } from './metric-records.js';
import { SeriesStore } from './series.js';
import { overview, TRANSITIONS_SHOWN, type TransitionView } from './overview.js';
import { createMonitorApi } from './http-api.js';
import { GuardrailFeed } from './guardrail-feed.js';
import { consumerLag } from './consumer-lag.js';
import { MonitorGauges } from './gauges.js';
import {
  LATENESS_RULE,
  LATENESS_WINDOW_MS,
  LatenessAlerts,
  LatenessWindow,
  isLatenessRecord,
  type FeatureLateness,
} from '../lib/monitoring/lateness.js';

/** How far back decisions, examples and guardrail events are re-read on start. */
const REPLAY_MS = 15 * 60_000;
const LAG_EVERY_MS = 15_000;

const ctx = await startServiceContext('monitor', compileConfig(process.env, homedir()));
/** How often the monitor measures, publishes and judges alerts (LOOPER_MONITOR_TICK_MS). */
const TICK_MS = ctx.config.monitorTickMs;
const blueprints = await watchBlueprints(ctx, () => undefined);
await blueprints.caughtUp;

/** Profiles kept per blueprint, newest first: the trainer publishes a version every publish_every. */
const PROFILES_KEPT = 10;
const models = new Map<string, ModelInfo>();
const profiled = new Map<string, string[]>();
const searches = new Map<string, SearchRecordJson>();
await followDecoded<ModelVersion>(ctx, topics.models, (mv) => {
  const profile = parseProfile(mv.profile);
  models.set(mv.modelVersion, {
    createdAt: mv.createdAt,
    parentVersion: mv.parentVersion,
    metrics: mv.metrics,
    profile,
    dataStartTs: mv.dataStartTs,
    dataEndTs: mv.dataEndTs,
  });
  if (profile !== null) {
    const kept = profiled.get(mv.blueprint) ?? [];
    kept.push(mv.modelVersion);
    for (const old of kept.splice(0, Math.max(0, kept.length - PROFILES_KEPT)))
      models.set(old, { ...models.get(old)!, profile: null });
    profiled.set(mv.blueprint, kept);
  }
  if (mv.search === null) return;
  try {
    const record = JSON.parse(mv.search) as SearchRecordJson;
    if (record.kind === 'search' && (searches.get(mv.blueprint)?.at ?? 0) <= record.at)
      searches.set(mv.blueprint, record);
  } catch {
    // An unreadable search record only costs the dashboard its leaderboard.
  }
});

const deployments = new Map<string, Deployment>();
const transitions = new Map<string, TransitionView[]>();
await followDecoded<Deployment>(ctx, topics.deployments, (d) => {
  const current = deployments.get(d.blueprint);
  if (current && d.revision <= current.revision) return;
  deployments.set(d.blueprint, d);
  if (d.transition) {
    const list = transitions.get(d.blueprint) ?? [];
    list.push({
      ts: d.updatedAt,
      modelVersion: d.transition.modelVersion,
      from: d.transition.from,
      to: d.transition.to,
      reason: d.transition.reason,
    });
    transitions.set(d.blueprint, list.slice(-TRANSITIONS_SHOWN));
  }
});

const monitors = new Map<string, BlueprintMonitor>();
const alerts = new Map<string, BlueprintAlerts>();
function monitorOf(name: string): BlueprintMonitor | undefined {
  const bp = blueprints.current().get(name);
  if (!bp) return undefined;
  let m = monitors.get(name);
  if (!m) monitors.set(name, (m = new BlueprintMonitor(bp, (v) => models.get(v))));
  else if (m.blueprint !== bp) m.blueprint = bp;
  return m;
}
function alertsOf(name: string): BlueprintAlerts {
  const bp = blueprints.current().get(name)!;
  let a = alerts.get(name);
  if (!a) alerts.set(name, (a = new BlueprintAlerts(bp)));
  a.blueprint = bp;
  return a;
}

const latenessAlerts = new LatenessAlerts();
// Alerts still open from before a restart continue their episode instead of being raised again.
const cleared: Alert[] = [];
{
  const last = new Map<string, Alert>();
  for (const { message } of await readTopicToEnd(ctx.kafka, topics.alerts.name)) {
    if (!message.value) continue;
    const a = await ctx.codec.decode<Alert>(topics.alerts, message.value).catch(() => null);
    if (a) last.set(a.alertId, a);
  }
  for (const a of last.values()) {
    if (a.state === 'cleared') cleared.push(a);
    else if (!blueprints.current().has(a.blueprint)) continue;
    else if (a.rule === LATENESS_RULE) latenessAlerts.restore([a]);
    else alertsOf(a.blueprint).restore([a]);
  }
}

const replayFrom = Date.now() - REPLAY_MS;
await followDecoded<Decision>(ctx, topics.decisions, (d) => monitorOf(d.blueprint)?.observeDecision(d), replayFrom);
await followDecoded<Example>(ctx, topics.examples, (e) => monitorOf(e.blueprint)?.observeExample(e), replayFrom);
const guardrailFeed = new GuardrailFeed(
  ctx,
  () => blueprints.current(),
  monitorOf,
  createDeadLetterSink('monitor', ctx.producer, ctx.codec, ctx.log),
  replayFrom,
);
guardrailFeed.refresh();

// The features instances' late-event reports: the window is summed afresh every tick.
const lateness = new LatenessWindow();
let latenessNow: FeatureLateness[] = [];
await followDecoded<Metric>(
  ctx,
  topics.metrics,
  (m) => {
    if (isLatenessRecord(m)) lateness.add([m]);
  },
  Date.now() - LATENESS_WINDOW_MS,
);

const series = new SeriesStore();
const measures = new Map<string, BlueprintMeasures>();
let lag: ConsumerLag[] = [];
const gauges = new MonitorGauges(ctx.metrics);
const openAlerts = () => [...[...alerts.values()].flatMap((a) => a.open()), ...latenessAlerts.open()];
const view = () =>
  overview(
    {
      blueprints: blueprints.current(),
      deployments,
      transitions,
      measures,
      searches,
      openAlerts: openAlerts(),
      clearedAlerts: cleared,
      lag,
      lateness: latenessNow,
    },
    Date.now(),
    TICK_MS,
  );
const api = createMonitorApi({ overview: view, series: (name) => series.of(name) });
ctx.addRoute(api.route);

async function tick(): Promise<void> {
  const now = Date.now();
  guardrailFeed.refresh();
  const metrics: Metric[] = [];
  const changes: Alert[] = [];
  for (const name of blueprints.current().keys()) {
    const m = monitorOf(name)!.measure(now);
    measures.set(name, m);
    metrics.push(...metricRecords(m));
    changes.push(...alertsOf(name).evaluate(m, randomUUID));
  }
  metrics.push(...lagRecords(lag, now));
  const registered = blueprints.current();
  latenessNow = lateness.summary(now).filter((f) => registered.has(f.blueprint));
  changes.push(...latenessAlerts.evaluate(latenessNow, now, randomUUID));
  for (const a of changes) {
    ctx.log(`alert ${a.state}: ${a.blueprint} ${a.rule}: ${a.message}`);
    if (a.state === 'cleared') cleared.push(a);
  }
  cleared.splice(0, Math.max(0, cleared.length - 100));
  const topicMessages = [
    {
      topic: topics.metrics.name,
      messages: metrics.map((m) => ({ key: m.blueprint, value: ctx.codec.encode(topics.metrics, m) })),
    },
    {
      topic: topics.alerts.name,
      messages: changes.map((a) => ({ key: `${a.blueprint}/${a.rule}`, value: ctx.codec.encode(topics.alerts, a) })),
    },
  ].filter((t) => t.messages.length > 0);
  if (topicMessages.length > 0) await ctx.producer.sendBatch({ acks: -1, topicMessages });
  series.add(metrics);
  gauges.update([...measures.values()], openAlerts(), lag);
  api.push(view());
}

ctx.onShutdown(
  repeatAfter(
    tick,
    () => TICK_MS,
    (error) => ctx.log(`tick failed: ${errorMessage(error)}`),
  ),
);

const admin = ctx.kafka.admin();
await admin.connect();
ctx.onShutdown(() => admin.disconnect());
const lagTimer = setInterval(() => {
  consumerLag(admin, Object.values(consumerGroups))
    .then((l) => (lag = l))
    .catch((error) => ctx.log(`consumer lag unavailable: ${errorMessage(error)}`));
}, LAG_EVERY_MS);
ctx.onShutdown(() => clearInterval(lagTimer));

ctx.markReady();
ctx.log(
  `monitoring ${blueprints.current().size} blueprints; dashboard on ${ctx.opsAddress ?? '(no address: see above)'}/`,
);
