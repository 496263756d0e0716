// The predictor service: answers decide requests on NATS (queue group, scales out), and outcomes
// reported over NATS, acknowledged once they are on looper.outcomes. Its one state is the decision
// log on disk: decisions Kafka has not taken yet.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { compileConfig, configVariables } from '../lib/config.js';
import { startServiceContext } from '../lib/runtime.js';
import { watchBlueprints } from '../lib/blueprint-watch.js';
import { watchModels } from './models.js';
import { createDecisionLog, decisionLogDefaults } from './decision-log.js';
import { startDecideResponder } from './predictor.js';
import { LookupRouter } from '../lib/features-client.js';
import { partitionCounts, sendInChunks } from '../lib/kafka.js';
import { topics } from '../../topology/topics.js';
import type { Alert } from '../lib/schemas/generated.js';
import { followDecoded } from '../lib/serving/follow-topic.js';
import { exploreShare, ShiftAlerts } from './shift-exploration.js';
import { subjects } from '../lib/names.js';
import { OUTCOME_DEADLINE_MS } from '../lib/outcome/reply.js';
import { OutcomeWriter } from './outcome-writer.js';
import { startOutcomeResponder } from './outcome-responder.js';
import { serviceStateDir } from '../lib/service-paths.js';
import { SegmentLog } from '../lib/wal/segment-log.js';

const ctx = await startServiceContext('predictor', compileConfig(process.env, homedir()));
// Decisions Kafka cannot take wait on disk, not in the heap; what a previous run left is sent first.
const disk = await SegmentLog.open({
  dir: join(serviceStateDir(ctx.config.dataDir, 'predictor', ctx.config.instance), 'decision-log'),
  maxBytes: ctx.config.decisionLogMaxBytes,
  lockHint: `another predictor uses this state folder; give each predictor on this machine its own ${configVariables.instance}`,
  log: (line) => ctx.log(`decision log: ${line}`),
});
const decisions = createDecisionLog(
  { producer: ctx.producer, codec: ctx.codec, disk, metrics: ctx.metrics, log: ctx.log },
  {
    ...decisionLogDefaults,
    maxBytesSetting: `${configVariables.decisionLogMaxBytes}=${ctx.config.decisionLogMaxBytes}`,
  },
);
ctx.onShutdown(() => decisions.close());
const blueprints = await watchBlueprints(ctx, (bp) => ctx.log(`blueprint ${bp.name} version ${bp.version}`));
const models = await watchModels(ctx);
await blueprints.caughtUp;
// quality_shift alerts from the start of looper.alerts (its retention bounds the read), so that a
// restarted predictor knows which are still open, as the monitor does; then each change as it comes.
const shifts = new ShiftAlerts();
const percent = (share: number) => `${+(share * 100).toFixed(4)}%`;
const exploring = (name: string): string => {
  const bp = blueprints.current().get(name);
  if (!bp) return `quality_shift alert open for ${name}`;
  return `quality_shift alert open for ${name}: exploring ${percent(exploreShare(bp.decision, true))} of decisions instead of ${percent(bp.decision.explore)}`;
};
let alertsRead = false;
const alerts = await followDecoded<Alert>(ctx, topics.alerts, (alert) => {
  if (!shifts.observe(alert) || !alertsRead) return;
  ctx.log(
    shifts.suspected(alert.blueprint)
      ? exploring(alert.blueprint)
      : `quality_shift alerts of ${alert.blueprint} cleared: exploring its explore share again`,
  );
});
await alerts.caughtUp;
alertsRead = true;
for (const name of shifts.blueprints()) ctx.log(exploring(name));
const admin = ctx.kafka.admin();
await admin.connect();
ctx.onShutdown(() => admin.disconnect());
/** The partition count decision ids are drawn for: looper.decisions' and looper.outcomes', when they agree. */
async function decisionPartitions(): Promise<number> {
  const counts = await partitionCounts(admin, [topics.decisions.name, topics.outcomes.name]);
  const [decided, outcomes] = [counts.get(topics.decisions.name), counts.get(topics.outcomes.name)];
  if (decided !== undefined && decided === outcomes) return decided;
  ctx.log(
    `${topics.decisions.name} has ${decided ?? 'no'} partitions and ${topics.outcomes.name} ${outcomes ?? 'none'}: decision ids are not drawn to share their entity's partition (run looper topology apply)`,
  );
  return 1;
}
const router = new LookupRouter((list) => partitionCounts(admin, list), ctx.log);
const stats = startDecideResponder(ctx, blueprints, models, decisions, router, shifts, {
  maxInFlight: ctx.config.predictorMaxInFlight,
  decisionPartitions: await decisionPartitions(),
});
// Outcomes over NATS go out on the producer the decisions use, acknowledged by every replica.
const outcomes = new OutcomeWriter((records) => sendInChunks(ctx.producer, topics.outcomes.name, records), {
  deadlineMs: OUTCOME_DEADLINE_MS,
  maxPending: 10_000,
});
startOutcomeResponder(
  ctx.nats,
  ctx.metrics,
  { encode: (outcome) => ctx.codec.encode(topics.outcomes, outcome), write: (records) => outcomes.write(records) },
  ctx.log,
);
ctx.markReady();
ctx.log(
  `answering decide requests (${blueprints.current().size} blueprints) and outcomes (${subjects.outcome}, ${subjects.outcomeBatch})`,
);
const report = setInterval(
  () =>
    ctx.log(
      `requests ${stats.requests}, fallbacks ${stats.fallbacks}, errors ${stats.errors} (overloaded ${stats.overloaded}), decisions logged ${decisions.logged()}`,
    ),
  30_000,
);
report.unref();
