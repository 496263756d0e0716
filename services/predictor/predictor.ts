// The decide path: NATS request → validated request → one feature lookup → exact scoring →
// policy → reply, then the decision is logged asynchronously. Before any model, or past the
// deadline, the reply is the blueprint's default decision flagged fallback: true. A canary answers
// for its share of entities instead of the live model; shadow models score the same features only
// once the reply is on the wire, so they never add to its latency. While a quality_shift alert is
// open for a blueprint, its decisions explore with decision.explore_on_shift (shift-exploration.ts).
import { mintDecisionId } from '../lib/partitioning/decision-id.js';
import type { Msg } from 'nats';
import type { Blueprint, Decision } from '../lib/schemas/generated.js';
import type { FeatureValues } from '../lib/feature-values.js';
import type { ServiceContext } from '../lib/runtime.js';
import type { BlueprintWatch } from '../lib/blueprint-watch.js';
import { parseDecideRequest, type DecideError, type RankingCandidate } from '../lib/decide/request.js';
import { explorePlanned, exploreIntended, policyAction } from '../lib/decide/policy.js';
import type { DecideReply } from '../lib/decide/reply.js';
import type { LookupRouter } from '../lib/features-client.js';
import { FeatureLookupClient } from '../lib/feature-lookup-client.js';
import { blueprintOfDecideSubject, queueGroups, subjects } from '../lib/names.js';
import { errorMessage } from '../lib/errors.js';
import { armOf } from '../lib/experiments/assign.js';
import { DecideMetrics, type BlueprintDecideMeters } from '../lib/observability/decide-metrics.js';
import { answeringModel, scoreShadows, ShadowFailures, type ModelTable, type ServingModel } from './model-choice.js';
import type { DecisionLog } from './decision-log.js';
import { CandidateRanker } from './rank.js';
import { decisionRecord, type DecideContext } from './decision-record.js';
import { multiclassTaskOf } from '../lib/multiclass/index.js';
import type { PlannedChoice } from '../lib/planning/bandit-model.js';
import { SeededRandom } from '../lib/learners/random.js';
import { exploreShare, type ShiftSuspicion } from './shift-exploration.js';

/** The bandits' own draws (Thompson samples, ε coin flips), seeded afresh per process so decisions do not repeat across restarts. */
const plannerRandom = new SeededRandom((Math.random() * 2 ** 32) >>> 0);

export interface PredictorStats {
  requests: number;
  errors: number;
  fallbacks: number;
  /** Requests refused because maxInFlight were being answered. */
  overloaded: number;
}

/**
 * A decision's time is when its request arrived (wall clock, ms): what its features are as of, and
 * before anything the caller does after the reply (an outcome event must never predate it).
 */
const receivedAt = (started: number) => Math.floor(performance.timeOrigin + started);

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface ResponderOptions {
  /**
   * Decide requests being answered at once (awaiting a feature lookup, mostly) beyond which new ones
   * are refused with an `overloaded` error at once: under a flood the caller hears so and falls
   * back, instead of every request queueing past its deadline and memory growing with the backlog.
   */
  readonly maxInFlight: number;
  /**
   * Partitions of looper.decisions and looper.outcomes (equal): decision ids are drawn to share
   * their entity's partition, so an outcome keyed by its id meets its decision in one partition.
   */
  readonly decisionPartitions: number;
}

export const responderDefaults: ResponderOptions = { maxInFlight: 2000, decisionPartitions: 1 };

export function startDecideResponder(
  ctx: ServiceContext,
  blueprints: BlueprintWatch,
  models: ModelTable,
  decisions: DecisionLog,
  router: LookupRouter,
  shifts: ShiftSuspicion,
  options: ResponderOptions = responderDefaults,
): PredictorStats {
  const stats: PredictorStats = { requests: 0, errors: 0, fallbacks: 0, overloaded: 0 };
  let inFlight = 0;
  const shadowFailures = new ShadowFailures(ctx.log);
  const metrics = new DecideMetrics(ctx.metrics);
  const ranker = new CandidateRanker();
  const lookups = new FeatureLookupClient(ctx.nats);
  const secondsSince = (started: number) => (performance.now() - started) / 1000;

  // Runs from setImmediate: nats.js writes a reply from a microtask, which runs before this. Errors
  // are logged, not thrown: nothing up the stack would catch them.
  const logWithShadows = (
    bp: Blueprint,
    decision: Decision,
    features: FeatureValues,
    shadows: readonly ServingModel[],
  ): void => {
    try {
      decision.shadow = scoreShadows(shadows, features, decision.modelVersion, bp.decision, shadowFailures);
      decisions.append(decision);
    } catch (error) {
      ctx.log(`decision ${decision.decisionId} of ${bp.name} not logged: ${errorMessage(error)}`);
    }
  };

  const replyError = (msg: Msg, error: DecideError, meters: BlueprintDecideMeters, started: number) => {
    stats.errors++;
    msg.respond(encoder.encode(JSON.stringify({ error })));
    meters.record('error', secondsSince(started));
  };

  /** The series a request is counted in: its blueprint's once that is known to be registered. */
  const metersOfSubject = (subject: string): BlueprintDecideMeters => {
    const name = blueprintOfDecideSubject(subject);
    return name !== null && blueprints.current().has(name) ? metrics.of(name) : metrics.unknown;
  };

  async function decide(msg: Msg, started: number): Promise<void> {
    stats.requests++;
    const name = blueprintOfDecideSubject(msg.subject) ?? '';
    const asked: Blueprint | undefined = blueprints.current().get(name);
    if (!asked) {
      replyError(
        msg,
        {
          code: 'unknown_blueprint',
          message: `no blueprint "${name}" is registered; looper blueprint list shows the registered ones`,
        },
        metrics.unknown,
        started,
      );
      return;
    }
    let meters = metrics.of(asked.name);
    let parsed = parseDecideRequest(msg.data, asked, decoder);
    if (!parsed.ok) {
      replyError(msg, parsed.error, meters, started);
      return;
    }
    // In an experiment, the entity's arm decides: the same arm whichever arm's subject was asked.
    let bp = asked;
    const armName = asked.experiment === null ? asked.name : armOf(asked, parsed.request.entity);
    if (armName !== asked.name) {
      const arm = blueprints.current().get(armName);
      if (!arm) {
        replyError(
          msg,
          {
            code: 'experiment_arm_missing',
            message: `experiment ${asked.experiment!.name} assigns entity "${parsed.request.entity}" to blueprint "${armName}", which is not registered: register it, or take it out of experiment.arms`,
          },
          meters,
          started,
        );
        return;
      }
      bp = arm;
      // Counted under the arm that answers, as its decisions are logged.
      meters = metrics.of(arm.name);
      parsed = parseDecideRequest(msg.data, arm, decoder);
      if (!parsed.ok) {
        replyError(
          msg,
          {
            code: parsed.error.code,
            message: `${parsed.error.message} (for ${armName}, the experiment arm this entity is in)`,
          },
          meters,
          started,
        );
        return;
      }
    }
    const { entity, context, deadlineMs, currentAction } = parsed.request;
    // A left-out feature is no error (the model reads it as missing), so it is counted where it can be seen.
    meters.recordMissing(parsed.request.missing);
    const features: FeatureValues = { ...context };
    let fallbackReason: string | null = null;

    if (bp.features.streams.length > 0) {
      // Known after a blueprint's first request: then the route costs a hash, no I/O.
      const routed = router.subjectOf(bp, entity);
      const subject = typeof routed === 'string' ? routed : await routed;
      const looked =
        typeof subject === 'string'
          ? await lookups.lookup(subject, bp.name, entity, deadlineMs - (performance.now() - started))
          : { ok: false as const, reason: 'features_unavailable' as const, message: subject.error };
      const values = looked.ok ? looked.values : null;
      for (const stream of bp.features.streams) features[stream.name] = values?.[stream.name] ?? null;
      if (!looked.ok) fallbackReason = looked.reason;
    }

    const model = answeringModel(models, bp.name, entity);
    const decideContext: DecideContext = {
      asked,
      bp,
      entity,
      features,
      deadlineMs,
      started,
      receivedAt: receivedAt(started),
    };
    if (parsed.request.candidates !== null) {
      decideRanking(msg, meters, decideContext, parsed.request.candidates, model, fallbackReason);
      return;
    }
    if (multiclassTaskOf(bp) !== null) {
      decideClasses(msg, meters, decideContext, model, fallbackReason);
      return;
    }
    let score: number | null = null;
    let planned: PlannedChoice | null = null;
    // The model's own choice, logged whatever is answered: apprentice mode measures agreement on it.
    let modelAction: string | null = null;
    if (!model) fallbackReason ??= 'no_model';
    else if (model.planner) {
      planned = model.planner.choose(features, plannerRandom);
      score = planned.means[planned.action]!;
      modelAction = planned.action;
    } else {
      score = model.scorer.score(features);
      modelAction = policyAction(bp.decision, score);
    }
    const deadlineMet = performance.now() - started <= deadlineMs;
    if (!deadlineMet) fallbackReason ??= 'deadline';

    // Apprentice mode: until the model has taken over, the caller's own decision is the answer; the
    // model's score is logged beside it, and the rollout service measures how often they agree.
    const apprenticing = currentAction !== null && bp.apprentice !== null && !models.tookOver(bp.name);
    if (apprenticing) fallbackReason = null;
    const fallback = fallbackReason !== null;
    const explore = exploreShare(bp.decision, shifts.suspected(bp.name));
    // The policy's action, computed once: the model's own as logged (modelAction), or the default
    // when the answer falls back (no score to go by).
    const intended = modelAction !== null && !fallback ? modelAction : bp.decision.default;
    const choice = apprenticing
      ? { action: currentAction, propensity: 1, explored: false }
      : planned !== null && !fallback
        ? explorePlanned(bp.decision, planned, Math.random, explore)
        : exploreIntended(bp.decision, intended, Math.random, explore);
    const decisionId = mintDecisionId(entity, options.decisionPartitions);
    const reply: DecideReply = {
      decisionId,
      blueprint: bp.name,
      version: bp.version,
      model: model?.modelVersion ?? null,
      family: model?.family ?? null,
      score,
      action: choice.action,
      propensity: choice.propensity,
      fallback,
    };
    if (planned !== null && !fallback) reply.scores = planned.means;
    if (fallbackReason) reply.fallbackReason = fallbackReason;
    if (choice.explored) reply.explored = true;
    if (apprenticing) reply.apprentice = true;
    respond(msg, meters, decideContext, reply);
    const decision = decisionRecord(decideContext, reply, {
      deadlineMet,
      scores: planned?.means ?? null,
      apprenticeAction: currentAction,
      modelAction,
    });
    const shadows = models.shadows(bp.name);
    if (shadows.length === 0) decisions.append(decision);
    else setImmediate(logWithShadows, bp, decision, features, shadows);
  }

  /** Sends the reply and counts it: the same for every task. */
  function respond(msg: Msg, meters: BlueprintDecideMeters, c: DecideContext, reply: DecideReply): void {
    msg.respond(encoder.encode(JSON.stringify(reply)));
    meters.record(reply.fallback ? 'fallback' : 'model', secondsSince(c.started));
    if (reply.fallback) stats.fallbacks++;
  }

  /** Ranking: the candidates ordered by the model (or kept in request order by the fallback), the top k replied and logged. */
  function decideRanking(
    msg: Msg,
    meters: BlueprintDecideMeters,
    c: DecideContext,
    candidates: RankingCandidate[],
    model: ServingModel | undefined,
    lookupFailure: string | null,
  ): void {
    let fallbackReason = lookupFailure ?? (model ? null : 'no_model');
    const explore = exploreShare(c.bp.decision, shifts.suspected(c.bp.name));
    let ranked = ranker.rank(
      c.bp,
      fallbackReason === null && model ? model.scorer : null,
      c.features,
      candidates,
      Math.random,
      explore,
    );
    const deadlineMet = performance.now() - c.started <= c.deadlineMs;
    if (!deadlineMet && fallbackReason === null) {
      fallbackReason = 'deadline';
      ranked = ranker.rank(c.bp, null, c.features, candidates, Math.random, explore);
    }
    const fallback = fallbackReason !== null;
    const reply: DecideReply = {
      decisionId: mintDecisionId(c.entity, options.decisionPartitions),
      blueprint: c.bp.name,
      version: c.bp.version,
      model: model?.modelVersion ?? null,
      family: model?.family ?? null,
      score: null,
      action: ranked.ranking[0]!,
      propensity: ranked.propensity,
      fallback,
      ranking: ranked.ranking,
    };
    if (ranked.scores !== null) reply.scores = ranked.scores;
    if (fallbackReason) reply.fallbackReason = fallbackReason;
    if (ranked.explored) reply.explored = true;
    respond(msg, meters, c, reply);
    decisions.append(
      decisionRecord(c, reply, {
        deadlineMet,
        scores: ranked.scores,
        ranking: ranked.ranking,
        candidates: ranked.logged,
      }),
    );
  }

  /**
   * Classes (multi-class classification, the next items of a sequence): the model's k most probable
   * (k = 1 for argmax), the first being the action; before any model, the default. Exploration
   * does not apply: the label (the class, the next item) does not depend on the answer.
   */
  function decideClasses(
    msg: Msg,
    meters: BlueprintDecideMeters,
    c: DecideContext,
    model: ServingModel | undefined,
    lookupFailure: string | null,
  ): void {
    const { bp } = c;
    let fallbackReason = lookupFailure ?? (model?.classifier ? null : 'no_model');
    let chosen =
      fallbackReason === null
        ? model!.classifier!.choose(c.features, bp.decision.policy === 'top_k' ? (bp.decision.k ?? 1) : 1)
        : null;
    const deadlineMet = performance.now() - c.started <= c.deadlineMs;
    if (!deadlineMet && fallbackReason === null) fallbackReason = 'deadline';
    // A model that has learned no class yet answers nothing: the default does, as before any model.
    if (fallbackReason === null && chosen?.ranking.length === 0) fallbackReason = 'no_model';
    if (fallbackReason !== null) chosen = null;
    const action = chosen?.ranking[0] ?? bp.decision.default;
    const reply: DecideReply = {
      decisionId: mintDecisionId(c.entity, options.decisionPartitions),
      blueprint: bp.name,
      version: bp.version,
      model: chosen === null ? null : model!.modelVersion,
      family: chosen === null ? null : model!.family,
      score: chosen === null ? null : chosen.scores[action]!,
      action,
      propensity: 1,
      fallback: fallbackReason !== null,
    };
    if (chosen !== null) {
      reply.ranking = chosen.ranking;
      reply.scores = chosen.scores;
    }
    if (fallbackReason) reply.fallbackReason = fallbackReason;
    respond(msg, meters, c, reply);
    decisions.append(
      decisionRecord(c, reply, {
        deadlineMet,
        scores: chosen?.scores ?? null,
        ranking: chosen?.ranking ?? null,
        modelAction: chosen === null ? null : action,
      }),
    );
  }

  ctx.nats.subscribe(subjects.decideAll, {
    queue: queueGroups.predictor,
    callback: (err, msg) => {
      if (err) {
        ctx.log(`decide subscription: ${err.message}`);
        return;
      }
      const started = performance.now();
      if (inFlight >= options.maxInFlight) {
        stats.overloaded++;
        replyError(
          msg,
          {
            code: 'overloaded',
            message: `this predictor is answering ${inFlight} decide requests already (its limit, LOOPER_PREDICTOR_MAX_IN_FLIGHT); use the default decision, retry with backoff, or add predictor instances`,
          },
          metersOfSubject(msg.subject),
          started,
        );
        return;
      }
      inFlight++;
      decide(msg, started)
        .catch((error) =>
          replyError(
            msg,
            { code: 'internal', message: `the predictor failed: ${errorMessage(error)}` },
            metersOfSubject(msg.subject),
            started,
          ),
        )
        .finally(() => inFlight--);
    },
  });
  return stats;
}
