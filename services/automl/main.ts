// The automl service: searches each blueprint's model families and hyper-parameters when a
// trigger says so (triggers.ts), one search at a time, and publishes the winner (run.ts); and
// retrains the serving configuration from scratch every training.retrain, and on a quality_shift
// alert from the examples since the shift (retrain.ts). Both leave their candidates to the rollout
// service.
import { homedir } from 'node:os';
import { compileConfig } from '../lib/config.js';
import { startServiceContext } from '../lib/runtime.js';
import { watchBlueprints } from '../lib/blueprint-watch.js';
import { errorMessage } from '../lib/errors.js';
import { repeatAfter } from '../lib/repeat.js';
import { initBackend } from '../lib/learners/backend.js';
import { AutomlError, readHistory, runAutoml } from './run.js';
import type { Blueprint } from '../lib/schemas/generated.js';
import {
  alertTrigger,
  dueSearch,
  retrainDueReason,
  RETRY_AFTER_MS,
  shiftRetrainDue,
  type AlertSeen,
  type SearchHistory,
} from './triggers.js';
import { retrainServing } from './retrain.js';
import { looperCounter } from '../lib/observability/service-metrics.js';
import { followDecoded } from '../lib/serving/follow-topic.js';
import type { Alert } from '../lib/schemas/generated.js';
import { topics } from '../../topology/topics.js';

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
// Drift and quality-shift alerts raised from now on: each may trigger a search, a shift also a
// retrain (triggers.ts decides). Kept apart so that a drift alert does not hide a shift's window.
const drifts = new Map<string, AlertSeen>();
const shifts = new Map<string, AlertSeen>();
await followDecoded<Alert>(
  ctx,
  topics.alerts,
  (a) => {
    const trigger = alertTrigger(a);
    if (trigger !== null) (trigger.kind === 'shift' ? shifts : drifts).set(a.blueprint, trigger.alert);
  },
  Date.now(),
);
interface RetrainState {
  lastRetrainAt: number | null;
  /** In memory only: after a restart, the alerts that could call for one are those raised since. */
  lastShiftRetrainAt: number | null;
  notBefore: number | null;
}
const retrains = new Map<string, RetrainState>();
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
      retrains.set(bp.name, { lastRetrainAt: past.lastRetrainAt, lastShiftRetrainAt: null, notBefore: null });
    }
    await retrainIfDue(bp);
    const startedAt = Date.now();
    const due = dueSearch(
      bp,
      { ...history, drift: drifts.get(bp.name) ?? null, shift: shifts.get(bp.name) ?? null },
      startedAt,
    );
    if (due === null) continue;
    ctx.log(`searching ${bp.name} v${bp.version}: ${due.reason}`);
    try {
      const run = await runAutoml(ctx, bp, {
        now: startedAt,
        ...(due.sinceTs === null ? {} : { sinceMs: startedAt - due.sinceTs }),
        onProgress: (p) => {
          if (p.evaluations % 10 === 0)
            ctx.log(
              `${bp.name}: ${p.evaluations}/${p.plannedEvaluations} evaluations, best ${p.best?.config.family ?? '—'} ${p.best?.metricValue.toFixed(4) ?? ''}`,
            );
        },
      });
      ctx.log(`${bp.name}: ${run.result.why}`);
      searches.inc({ outcome: run.candidate ? 'candidate' : 'no_candidate' });
      // Times are the search's start, as its record's createdAt: an alert raised while it ran is not answered by it.
      histories.set(bp.name, {
        lastSearchAt: startedAt,
        lastBlueprintVersion: bp.version,
        notBefore: run.candidate ? null : Date.now() + RETRY_AFTER_MS,
        lastAlertSearchAt: due.byAlert ? startedAt : (history.lastAlertSearchAt ?? null),
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
  const state = retrains.get(bp.name) ?? { lastRetrainAt: null, lastShiftRetrainAt: null, notBefore: null };
  const startedAt = Date.now();
  // A quality shift first: it does not wait for training.retrain, and it replays only the examples since the shift.
  const shift = shiftRetrainDue(bp, state, shifts.get(bp.name) ?? null, startedAt);
  const reason = shift?.reason ?? retrainDueReason(bp, state.lastRetrainAt, state.notBefore, startedAt);
  if (reason === null) return;
  ctx.log(`retraining ${bp.name}: ${reason}`);
  try {
    await retrainServing(ctx, bp, {
      now: startedAt,
      ...(shift === null ? {} : { sinceMs: startedAt - shift.sinceTs }),
    });
    retrains.set(bp.name, {
      lastRetrainAt: startedAt,
      lastShiftRetrainAt: shift === null ? state.lastShiftRetrainAt : startedAt,
      notBefore: null,
    });
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
