// The automl service: searches each blueprint's model families and hyper-parameters when a
// trigger says so (triggers.ts), one search at a time, and publishes the winner (run.ts); and
// retrains the serving configuration from scratch every training.retrain (retrain.ts). Both leave
// their candidates to the rollout service.
import { homedir } from 'node:os';
import { compileConfig } from '../lib/config.js';
import { startServiceContext } from '../lib/runtime.js';
import { watchBlueprints } from '../lib/blueprint-watch.js';
import { errorMessage } from '../lib/errors.js';
import { repeatAfter } from '../lib/repeat.js';
import { initBackend } from '../lib/learners/backend.js';
import { AutomlError, readHistory, runAutoml } from './run.js';
import type { Blueprint } from '../lib/schemas/generated.js';
import { dueReason, retrainDueReason, RETRY_AFTER_MS, type SearchHistory } from './triggers.js';
import { retrainServing } from './retrain.js';
import { looperCounter } from '../lib/observability/service-metrics.js';
import { followDecoded } from '../lib/serving/follow-topic.js';
import type { Alert } from '../lib/schemas/generated.js';
import { topics } from '../../topology/topics.js';
import { DRIFT_RULES } from './triggers.js';

/** How often triggers are checked. */
const CHECK_EVERY_MS = 15_000;

const ctx = await startServiceContext('automl', compileConfig(process.env, homedir()));
const backend = await initBackend({
  onFallback: (name, reason) => ctx.log(`tfjs backend ${name} unavailable: ${reason}`),
});
ctx.log(`tfjs backend: ${backend}`);
const blueprints = await watchBlueprints(ctx, () => undefined);
await blueprints.caughtUp;

const histories = new Map<string, SearchHistory>();
// Drift alerts raised from now on: each may trigger a search (triggers.ts decides).
const drifts = new Map<string, { at: number; message: string }>();
await followDecoded<Alert>(
  ctx,
  topics.alerts,
  (a) => {
    if (a.state === 'raised' && DRIFT_RULES.includes(a.rule)) drifts.set(a.blueprint, { at: a.ts, message: a.message });
  },
  Date.now(),
);
const retrains = new Map<string, { lastRetrainAt: number | null; notBefore: number | null }>();
const searches = looperCounter(ctx.metrics, 'automlSearches');
// A search in progress checks this between blueprints, so shutdown need not wait for the rest.
let stopping = false;

async function checkTriggers(): Promise<void> {
  for (const bp of blueprints.current().values()) {
    if (stopping) return;
    let history = histories.get(bp.name);
    if (!history) {
      const past = await readHistory(ctx, bp.name);
      history = { lastSearchAt: past.lastSearchAt, lastBlueprintVersion: past.lastBlueprintVersion, notBefore: null };
      histories.set(bp.name, history);
      retrains.set(bp.name, { lastRetrainAt: past.lastRetrainAt, notBefore: null });
    }
    await retrainIfDue(bp);
    const reason = dueReason(bp, { ...history, drift: drifts.get(bp.name) ?? null }, Date.now());
    if (reason === null) continue;
    ctx.log(`searching ${bp.name} v${bp.version}: ${reason}`);
    try {
      const run = await runAutoml(ctx, bp, {
        onProgress: (p) => {
          if (p.evaluations % 10 === 0)
            ctx.log(
              `${bp.name}: ${p.evaluations}/${p.plannedEvaluations} evaluations, best ${p.best?.config.family ?? '—'} ${p.best?.metricValue.toFixed(4) ?? ''}`,
            );
        },
      });
      ctx.log(`${bp.name}: ${run.result.why}`);
      searches.inc({ outcome: run.candidate ? 'candidate' : 'no_candidate' });
      histories.set(bp.name, {
        lastSearchAt: Date.now(),
        lastBlueprintVersion: bp.version,
        notBefore: run.candidate ? null : Date.now() + RETRY_AFTER_MS,
      });
    } catch (error) {
      ctx.log(
        `${bp.name}: ${error instanceof AutomlError ? '' : 'search failed: '}${errorMessage(error)}; next try in ${RETRY_AFTER_MS / 60_000} min`,
      );
      searches.inc({ outcome: 'failed' });
      histories.set(bp.name, { ...history, notBefore: Date.now() + RETRY_AFTER_MS });
    }
  }
}

async function retrainIfDue(bp: Blueprint): Promise<void> {
  const state = retrains.get(bp.name) ?? { lastRetrainAt: null, notBefore: null };
  const reason = retrainDueReason(bp, state.lastRetrainAt, state.notBefore, Date.now());
  if (reason === null) return;
  ctx.log(`retraining ${bp.name}: ${reason}`);
  try {
    await retrainServing(ctx, bp);
    retrains.set(bp.name, { lastRetrainAt: Date.now(), notBefore: null });
  } catch (error) {
    ctx.log(
      `${bp.name}: ${error instanceof AutomlError ? '' : 'retrain failed: '}${errorMessage(error)}; next try in ${RETRY_AFTER_MS / 60_000} min`,
    );
    retrains.set(bp.name, { ...state, notBefore: Date.now() + RETRY_AFTER_MS });
  }
}

const stopChecking = repeatAfter(
  checkTriggers,
  () => CHECK_EVERY_MS,
  (error) => ctx.log(`checking triggers failed: ${errorMessage(error)}`),
);
ctx.onShutdown(() => {
  stopping = true;
  stopChecking();
});
ctx.markReady();
ctx.log('watching blueprints for AutoML triggers');
