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
import { spanText } from '../lib/duration-text.js';
import { initBackend } from '../lib/learners/backend.js';
import { readHistory, runAutoml } from './run.js';
import { AutomlError, TooFewExamplesError } from './errors.js';
import type { Blueprint, Example } from '../lib/schemas/generated.js';
import {
  alertTrigger,
  dueSearch,
  retrainDueReason,
  shiftRetrainDue,
  type AlertSeen,
  type SearchState,
} from './triggers.js';
import { afterAttempt, retryWaitMs, type SearchAttempt } from './retry.js';
import { countsForSearch } from './enough-examples.js';
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

const histories = new Map<string, SearchState>();
// The examples each blueprint's search would learn from, counted from the start of the topic and
// then as they arrive: a first search waits for MIN_EXAMPLES of them instead of replaying to find
// out. Until the count has caught up it is short, which only delays a search.
const counted = new Map<string, number>();
await followDecoded<Example>(ctx, topics.examples, (example) => {
  const bp = blueprints.current().get(example.blueprint);
  if (bp !== undefined && countsForSearch(bp, example))
    counted.set(example.blueprint, (counted.get(example.blueprint) ?? 0) + 1);
});
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
      {
        ...history,
        examples: counted.get(bp.name) ?? 0,
        drift: drifts.get(bp.name) ?? null,
        shift: shifts.get(bp.name) ?? null,
      },
      startedAt,
    );
    if (due === null) continue;
    ctx.log(`searching ${bp.name} v${bp.version}: ${due.reason}`);
    const settle = (attempt: SearchAttempt) => {
      const after = afterAttempt(history, attempt, {
        now: Date.now(),
        examples: counted.get(bp.name) ?? 0,
        scheduleMs: bp.automl.scheduleMs,
      });
      histories.set(bp.name, after.state);
      return after.next;
    };
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
      searches.inc({ outcome: run.candidate ? 'candidate' : 'no_candidate' });
      settle({
        kind: 'ran',
        startedAt,
        blueprintVersion: bp.version,
        candidate: run.candidate !== null,
        byAlert: due.byAlert,
      });
      ctx.log(`${bp.name}: ${run.result.why}`);
    } catch (error) {
      searches.inc({ outcome: 'failed' });
      const next = settle(
        error instanceof TooFewExamplesError
          ? { kind: 'too_few', sinceTs: due.sinceTs, examples: error.examples, needed: error.needed }
          : { kind: 'failed' },
      );
      ctx.log(
        `${bp.name}: ${error instanceof AutomlError ? '' : 'search failed: '}${errorMessage(error)}; ${next ?? ''}`,
      );
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
    const wait = retryWaitMs(bp.training.retrainMs);
    ctx.log(
      `${bp.name}: ${error instanceof AutomlError ? '' : 'retrain failed: '}${errorMessage(error)}; next try in ${spanText(wait)}`,
    );
    retrains.set(bp.name, { ...state, notBefore: Date.now() + wait });
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
