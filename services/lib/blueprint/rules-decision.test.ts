// The compiler's rules for decision, objective, automl, training, rollout, monitoring and experiment.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileBlueprint } from './compile.js';
import { blueprintWith, messagesOf, minimalBlueprintOf, problemsOf } from './test-blueprints.js';

const withDecision = (decision: Record<string, unknown>) =>
  blueprintWith((bp) => (bp['decision'] = { actions: ['send', 'skip'], default: 'skip', ...decision }));
/** A planning blueprint: the task of the bandit policies (epsilon_greedy, softmax, thompson, linucb). */
const withBandit = (decision: Record<string, unknown>) =>
  blueprintWith((bp) => {
    bp['task'] = 'planning';
    bp['decision'] = { actions: ['send', 'skip'], default: 'skip', ...decision };
  });
const fixAt = (raw: unknown, path: string) => problemsOf(raw).find((p) => p.path === path)?.fix;

describe('blueprint rules: decision', () => {
  it('blueprint rules - decision.default must be one of the actions', () => {
    const raw = withDecision({ policy: 'threshold', threshold: 0.5, default: 'Skip' });
    assert.deepEqual(messagesOf(raw), ['decision.default: "Skip" is not one of the actions send, skip']);
    assert.equal(fixAt(raw, 'decision.default'), 'did you mean skip?');
  });

  it('blueprint rules - actions are a non-empty list without repeats', () => {
    assert.deepEqual(messagesOf(withDecision({ policy: 'argmax', actions: [], default: 'skip' })), [
      'decision.actions: is empty',
    ]);
    assert.deepEqual(messagesOf(withDecision({ policy: 'argmax', actions: ['send', 'skip', 'send'] })), [
      'decision.actions[2]: "send" is listed twice',
    ]);
  });

  it('blueprint rules - threshold policy needs a threshold between 0 and 1, and two actions', () => {
    assert.deepEqual(messagesOf(withDecision({ policy: 'threshold' })), [
      'decision.threshold: is required for policy threshold',
    ]);
    assert.deepEqual(messagesOf(withDecision({ policy: 'threshold', threshold: 1.5 })), [
      'decision.threshold: 1.5 is not between 0 and 1',
    ]);
    assert.deepEqual(messagesOf(withDecision({ policy: 'threshold', threshold: 0.5, actions: ['a', 'b', 'skip'] })), [
      'decision.actions: has 3 actions, not 2',
    ]);
  });

  it('blueprint rules - top_k needs a whole k, epsilon_greedy an epsilon between 0 and 1', () => {
    assert.deepEqual(messagesOf(withDecision({ policy: 'top_k' })), ['decision.k: is required for policy top_k']);
    assert.deepEqual(messagesOf(withDecision({ policy: 'top_k', k: 2.5 })), ['decision.k: 2.5 is not a whole number']);
    assert.deepEqual(messagesOf(withBandit({ policy: 'epsilon_greedy' })), [
      'decision.epsilon: is required for policy epsilon_greedy',
    ]);
    assert.deepEqual(messagesOf(withBandit({ policy: 'epsilon_greedy', epsilon: -0.1 })), [
      'decision.epsilon: -0.1 is not between 0 and 1',
    ]);
  });

  it('blueprint rules - a policy parameter given to another policy is reported', () => {
    assert.deepEqual(
      messagesOf(withDecision({ policy: 'argmax', threshold: 0.5, k: 3, epsilon: 0.1, temperature: 2, alpha: 1 })),
      [
        'decision.threshold: is only used by policy threshold',
        'decision.k: is only used by policy top_k',
        'decision.epsilon: is only used by policy epsilon_greedy',
        'decision.temperature: is only used by policy softmax',
        'decision.alpha: is only used by policy linucb',
      ],
    );
  });

  it('blueprint rules - softmax and linucb get their default temperature and alpha', () => {
    const softmax = compileBlueprint(withBandit({ policy: 'softmax' }));
    const linucb = compileBlueprint(withBandit({ policy: 'linucb', alpha: 0.5, deadline: '50ms' }));
    assert.ok(softmax.ok && linucb.ok);
    assert.deepEqual([softmax.blueprint.decision.temperature, softmax.blueprint.decision.alpha], [1, null]);
    assert.deepEqual(
      [linucb.blueprint.decision.temperature, linucb.blueprint.decision.alpha, linucb.blueprint.decision.deadlineMs],
      [null, 0.5, 50],
    );
  });

  it('blueprint rules - explore 0% is refused where the model learns only from its own actions, saying why and what to do', () => {
    const noExploration = (raw: ReturnType<typeof minimalBlueprintOf>) =>
      blueprintWith((bp) => Object.assign(bp, raw, { decision: { ...(raw['decision'] as object), explore: '0%' } }));
    const fix =
      'set explore to at least 1%, e.g. explore: 5% (the default): without exploration the model never sees the outcomes of what it chose not to do, so neither its training nor the verdicts on its versions can be unbiased';
    const threshold = withDecision({ policy: 'threshold', threshold: 0.5, explore: '0%' });
    assert.deepEqual(problemsOf(threshold), [
      {
        path: 'decision.explore',
        message:
          '0% turns exploration off, but the score of policy threshold learns only from decisions that took the first action',
        fix,
      },
    ]);
    assert.deepEqual(messagesOf(noExploration(minimalBlueprintOf('ranking'))), [
      'decision.explore: 0% turns exploration off, but a ranking learns only from the candidates it showed',
    ]);
    const planning = (decision: Record<string, unknown>) =>
      blueprintWith((bp) => {
        bp['task'] = 'planning';
        bp['decision'] = { actions: ['push', 'sms'], default: 'push', explore: '0%', ...decision };
      });
    assert.deepEqual(messagesOf(planning({ policy: 'linucb' })), [
      'decision.explore: 0% turns exploration off, but a planning bandit with policy linucb learns only the rewards of the actions it chose',
    ]);
    assert.deepEqual(messagesOf(planning({ policy: 'epsilon_greedy', epsilon: 0 })), [
      'decision.explore: 0% turns exploration off, but a planning bandit with policy epsilon_greedy learns only the rewards of the actions it chose',
    ]);
    const apprentice = blueprintWith((bp) => {
      bp['decision'] = {
        policy: 'threshold',
        threshold: 0.5,
        actions: ['send', 'skip'],
        default: 'skip',
        explore: '0%',
      };
      bp['apprentice'] = { take_over_at: '90%' };
    });
    assert.deepEqual(
      problemsOf(apprentice).map((p) => p.path),
      ['decision.explore'],
      'once an apprentice takes over, its model decides alone',
    );
    // Policies that draw every action with some chance explore by themselves, and labels that do not
    // depend on the action (multi-class, sequence) are learned whatever was done.
    for (const raw of [
      planning({ policy: 'epsilon_greedy', epsilon: 0.1 }),
      planning({ policy: 'softmax' }),
      planning({ policy: 'thompson' }),
      noExploration(minimalBlueprintOf('classification')),
      noExploration(minimalBlueprintOf('sequence')),
    ]) {
      const result = compileBlueprint(raw);
      assert.ok(result.ok, JSON.stringify(result.ok ? null : result.problems));
      assert.equal(result.blueprint.decision.explore, 0);
    }
    assert.ok(compileBlueprint(withDecision({ policy: 'threshold', threshold: 0.5, explore: '1%' })).ok);
  });

  it('blueprint rules - explore_on_shift defaults to twice explore, at most 20% and never below explore, and is at least explore', () => {
    const onShift = (decision: Record<string, unknown>) => {
      const result = compileBlueprint(withDecision({ policy: 'threshold', threshold: 0.5, ...decision }));
      assert.ok(result.ok, JSON.stringify(result.ok ? null : result.problems));
      return [result.blueprint.decision.explore, result.blueprint.decision.exploreOnShift];
    };
    assert.deepEqual(onShift({}), [0.05, 0.1], 'the default explore 5% doubles');
    assert.deepEqual(onShift({ explore: '8%' }), [0.08, 0.16]);
    assert.deepEqual(onShift({ explore: '15%' }), [0.15, 0.2], 'capped at 20%');
    assert.deepEqual(onShift({ explore: '30%' }), [0.3, 0.3], 'never below explore');
    assert.deepEqual(
      onShift({ policy: 'argmax', threshold: null, explore: '0%' }),
      [0, 0],
      'no exploration, none on a shift either',
    );
    assert.deepEqual(onShift({ explore: '5%', explore_on_shift: '50%' }), [0.05, 0.5]);
    assert.deepEqual(onShift({ explore: '5%', explore_on_shift: '5%' }), [0.05, 0.05], 'equal: no rise');
    const lower = withDecision({ policy: 'threshold', threshold: 0.5, explore: '10%', explore_on_shift: '5%' });
    assert.deepEqual(problemsOf(lower), [
      {
        path: 'decision.explore_on_shift',
        message: '5% is less than explore (10%)',
        fix: 'set it to at least explore, e.g. explore_on_shift: 20% (the default): it replaces explore while a quality_shift alert is raised, to learn the changed world sooner, and never explores less',
      },
    ]);
    assert.deepEqual(messagesOf(withDecision({ policy: 'threshold', threshold: 0.5, explore_on_shift: 0.2 })), [
      'decision.explore_on_shift: 0.2 is not a share like 10%',
    ]);
    assert.deepEqual(
      messagesOf(withDecision({ policy: 'threshold', threshold: 0.5, explore: 'lots', explore_on_shift: '1%' })),
      ['decision.explore: "lots" is not a share like 10%'],
      'an explore with a problem is not compared with',
    );
    const ranking = compileBlueprint(minimalBlueprintOf('ranking'));
    assert.ok(ranking.ok);
    assert.equal(ranking.blueprint.decision.exploreOnShift, 0.1, 'tasks without actions get it too');
  });
});

describe('blueprint rules: objective', () => {
  const withTask = (task: string, metric?: string) => {
    const bp = minimalBlueprintOf(task);
    if (metric !== undefined) bp['objective'] = { metric };
    return bp;
  };

  it('blueprint rules - the metric must fit the task', () => {
    assert.deepEqual(messagesOf(withTask('classification', 'rmse')), [
      'objective.metric: "rmse" does not fit task classification',
    ]);
    assert.equal(
      fixAt(withTask('classification', 'rmse'), 'objective.metric'),
      'use auc or logloss for classification',
    );
    assert.deepEqual(messagesOf(withTask('estimation', 'auc')), [
      'objective.metric: "auc" does not fit task estimation',
    ]);
    assert.deepEqual(messagesOf(withTask('ranking', 'logloss')), [
      'objective.metric: "logloss" does not fit task ranking',
    ]);
    assert.deepEqual(messagesOf(withTask('planning', 'ndcg@5')), [
      'objective.metric: "ndcg@5" does not fit task planning',
    ]);
    assert.equal(fixAt(withTask('planning', 'ndcg@5'), 'objective.metric'), 'use reward for planning');
  });

  it('blueprint rules - ndcg takes its cut-off as a whole number', () => {
    const ranking = compileBlueprint(withTask('ranking', 'ndcg@5'));
    assert.ok(ranking.ok);
    assert.deepEqual([ranking.blueprint.objective.metric, ranking.blueprint.objective.ndcgAt], ['ndcg', 5]);
    assert.deepEqual(messagesOf(withTask('ranking', 'ndcg@k')), [
      'objective.metric: "ndcg@k" does not give k as a whole number',
    ]);
    assert.deepEqual(messagesOf(withTask('ranking', 'precision')), [
      'objective.metric: "precision" is not one of auc, logloss, rmse, mae, ndcg@k, reward',
    ]);
  });

  it('blueprint rules - the default metric and families follow the task', () => {
    const expected = {
      classification: ['auc', null, 'logistic'],
      estimation: ['rmse', null, 'linear'],
      ranking: ['ndcg', 10, 'logistic'],
      sequence: ['logloss', null, 'logistic'],
      planning: ['reward', null, 'logistic'],
    };
    for (const [task, [metric, ndcgAt, family]] of Object.entries(expected)) {
      const result = compileBlueprint(withTask(task));
      assert.ok(result.ok, task);
      assert.deepEqual(
        [result.blueprint.objective.metric, result.blueprint.objective.ndcgAt, result.blueprint.automl.families[0]],
        [metric, ndcgAt, family],
        task,
      );
    }
  });

  it('blueprint rules - constraints are an inference time and a size', () => {
    const raw = blueprintWith(
      (bp) => (bp['objective'] = { constraints: { p99_inference: '2ms', model_size: '1.5kb' } }),
    );
    const result = compileBlueprint(raw);
    assert.ok(result.ok);
    assert.deepEqual(result.blueprint.objective.constraints, { p99InferenceUs: 2000, modelSizeBytes: 1536 });
    const bad = blueprintWith(
      (bp) => (bp['objective'] = { constraints: { p99_inference: '0.5us', model_size: '256 kb' } }),
    );
    assert.deepEqual(messagesOf(bad), [
      'objective.constraints.p99_inference: "0.5us" is not a whole number of microseconds',
      'objective.constraints.model_size: "256 kb" is not a size like 256kb',
    ]);
  });
});

describe('blueprint rules: automl, training and rollout', () => {
  it('blueprint rules - families must exist, not repeat, and fit the task', () => {
    const raw = blueprintWith(
      (bp) => (bp['automl'] = { families: ['logistic', 'linear', 'xgboost', 'logistic'], budget: 0, schedule: '6h' }),
    );
    assert.deepEqual(messagesOf(raw), [
      'automl.families[1]: "linear" does not fit task classification',
      'automl.families[2]: "xgboost" is not one of logistic, linear, mlp, gbdt',
      'automl.families[3]: "logistic" is listed twice',
      'automl.budget: 0 is not between 1 and 10000',
    ]);
    assert.equal(fixAt(raw, 'automl.families[1]'), 'use logistic');
  });

  it('blueprint rules - numbers and durations too large to store are refused', () => {
    const raw = blueprintWith((bp) => {
      bp['automl'] = { budget: 20_000, schedule: '999999999999d' };
      bp['rollout'] = { shadow: { min_examples: 1e20 } };
      bp['objective'] = { constraints: { model_size: '99999999999gb' } };
    });
    assert.deepEqual(messagesOf(raw), [
      'objective.constraints.model_size: "99999999999gb" is too large',
      'automl.budget: 20000 is not between 1 and 10000',
      'automl.schedule: "999999999999d" is too long',
      'rollout.shadow.min_examples: 100000000000000000000 is too large',
    ]);
  });

  it('blueprint rules - training and rollout compile their units', () => {
    const raw = blueprintWith((bp) => {
      bp['training'] = { online: false, publish_every: '1m', retrain: '12h' };
      bp['rollout'] = {
        shadow: { min_examples: 500 },
        promote_if: { metric_gain: 0.01 },
        canary: '5%',
        rollback_if: { metric_drop: 0.05 },
      };
    });
    const result = compileBlueprint(raw);
    assert.ok(result.ok);
    assert.deepEqual(result.blueprint.training, {
      online: false,
      publishEveryMs: 60_000,
      retrainMs: 43_200_000,
      propensityClip: 0.01,
      forgetHalfLifeMs: 86_400_000,
    });
    assert.deepEqual(result.blueprint.rollout, {
      shadow: { minExamples: 500 },
      promoteIf: { metricGain: 0.01 },
      canary: 0.05,
      rollbackIf: { metricDrop: 0.05 },
    });
  });

  it('blueprint rules - training.propensity_clip is a propensity strictly between 0 and 1, and a bad one says why', () => {
    const clip = (value: unknown) => blueprintWith((bp) => (bp['training'] = { propensity_clip: value }));
    const result = compileBlueprint(clip(0.05));
    assert.ok(result.ok);
    assert.equal(result.blueprint.training.propensityClip, 0.05);
    const why =
      "use a small propensity, e.g. 0.01 (the default): each example is learned with weight 1/propensity, and a propensity below propensity_clip weighs 1/propensity_clip: at 0 one rarely explored example could outweigh all the others, at 1 every example would weigh the same and the weights would no longer undo the live model's choice of what it learns from";
    assert.deepEqual(problemsOf(clip(0)), [
      { path: 'training.propensity_clip', message: '0 is not between 0 and 1 (both excluded)', fix: why },
    ]);
    assert.deepEqual(messagesOf(clip(1)), ['training.propensity_clip: 1 is not between 0 and 1 (both excluded)']);
    assert.deepEqual(messagesOf(clip(-0.5)), ['training.propensity_clip: -0.5 is not between 0 and 1 (both excluded)']);
    assert.deepEqual(problemsOf(clip('1%')), [
      {
        path: 'training.propensity_clip',
        message: '"1%" is a share, not a propensity',
        fix: 'write it as a number, e.g. 0.01',
      },
    ]);
    assert.deepEqual(messagesOf(clip('low')), ['training.propensity_clip: "low" is not a number']);
    assert.deepEqual(messagesOf(blueprintWith((bp) => (bp['training'] = { propensity_clp: 0.01 }))), [
      'training.propensity_clp: is not a key of training',
    ]);
  });

  it('blueprint rules - training.forget is none or a half_life (a duration or never), 1d by default', () => {
    const forget = (value: unknown) => blueprintWith((bp) => (bp['training'] = { forget: value }));
    const halfLife = (value: unknown) => {
      const result = compileBlueprint(forget(value));
      assert.ok(result.ok, JSON.stringify(result.ok ? null : result.problems));
      return result.blueprint.training.forgetHalfLifeMs;
    };
    const defaults = compileBlueprint(blueprintWith(() => undefined));
    assert.ok(defaults.ok);
    assert.equal(defaults.blueprint.training.forgetHalfLifeMs, 86_400_000);
    assert.equal(halfLife({ half_life: '30m' }), 1_800_000);
    assert.equal(halfLife({ half_life: '2h' }), 7_200_000);
    assert.equal(halfLife('none'), null);
    assert.equal(halfLife({ half_life: 'never' }), null);
    const why =
      "an example's weight halves every half_life of decision time, so what the world taught long ago fades and a changed world is learned; never (or forget: none) keeps every example at full weight forever";
    assert.deepEqual(problemsOf(forget('1d')), [
      {
        path: 'training.forget',
        message: '"1d" is neither none nor a mapping',
        fix: `write forget: { half_life: 1d } (the default), or forget: none: ${why}`,
      },
    ]);
    assert.deepEqual(problemsOf(forget({})), [
      {
        path: 'training.forget.half_life',
        message: 'is required',
        fix: `add half_life: a duration like 1d, or never: ${why}`,
      },
    ]);
    assert.deepEqual(problemsOf(forget({ half_life: 'forever' })), [
      {
        path: 'training.forget.half_life',
        message: '"forever" is neither a duration like 1d nor never',
        fix: `write half_life: 1d, or half_life: never: ${why}`,
      },
    ]);
    assert.deepEqual(messagesOf(forget({ half_life: '0s' })), ['training.forget.half_life: "0s" is not longer than 0']);
    assert.deepEqual(messagesOf(forget({ half_life: 3600 })), [
      'training.forget.half_life: 3600 is not a duration like 1h',
    ]);
    assert.equal(fixAt(forget({ halflife: '1d' }), 'training.forget.halflife'), 'did you mean half_life?');
    assert.deepEqual(messagesOf(forget({ halflife: '1d' })), [
      'training.forget.halflife: is not a key of forget',
      'training.forget.half_life: is required',
    ]);
  });

  it('blueprint rules - shares are percentages, and a fraction gets its percentage suggested', () => {
    const raw = blueprintWith((bp) => (bp['rollout'] = { canary: 0.25 }));
    assert.deepEqual(messagesOf(raw), ['rollout.canary: 0.25 is not a share like 10%']);
    assert.equal(fixAt(raw, 'rollout.canary'), 'write it as a percentage, e.g. 25%');
    assert.deepEqual(messagesOf(blueprintWith((bp) => (bp['rollout'] = { canary: '120%' }))), [
      'rollout.canary: "120%" is more than 100%',
    ]);
  });
});

describe('blueprint rules: monitoring and experiment', () => {
  const withMonitoring = (monitoring: unknown) =>
    blueprintWith((bp) => {
      bp['features'] = { context: [{ name: 'hour', type: 'int' }] };
      bp['monitoring'] = monitoring;
    });
  const unsubscribes = { name: 'unsubscribes', topic: 'app.unsubscribes', window: '1d' };

  it('blueprint rules - alerts watch a known kind', () => {
    const raw = withMonitoring({ alerts: [{ on: 'feature_drfit', psi: 0.2 }] });
    assert.deepEqual(messagesOf(raw), [
      'monitoring.alerts[0].on: "feature_drfit" is not one of feature_drift, prediction_drift, decide_p99, fallback_rate, model_age, metric_drop, label_rate, guardrail',
    ]);
    assert.equal(fixAt(raw, 'monitoring.alerts[0].on'), 'did you mean feature_drift?');
  });

  it('blueprint rules - each alert kind needs its own threshold and takes no other', () => {
    const raw = withMonitoring({
      alerts: [
        { on: 'feature_drift' },
        { on: 'prediction_drift', psi: 0 },
        { on: 'decide_p99', above: '10' },
        { on: 'fallback_rate', above: '5%', below: '1%' },
        { on: 'model_age', psi: 0.1, above: '2h' },
        { on: 'metric_drop' },
        { on: 'label_rate', above: '10%' },
      ],
    });
    assert.deepEqual(messagesOf(raw), [
      'monitoring.alerts[0].psi: is required for alert feature_drift',
      'monitoring.alerts[1].psi: 0 is not more than 0',
      'monitoring.alerts[2].above: "10" is not a duration like 1h',
      'monitoring.alerts[3].below: is not used by alert fallback_rate',
      'monitoring.alerts[4].psi: is not used by alert model_age',
      'monitoring.alerts[5].above: is required for alert metric_drop',
      'monitoring.alerts[6].above: is not used by alert label_rate',
      'monitoring.alerts[6].below: is required for alert label_rate',
    ]);
    assert.equal(fixAt(raw, 'monitoring.alerts[6].above'), 'remove it; alert label_rate takes below: 10%');
  });

  it('blueprint rules - alerts compile to typed thresholds', () => {
    const result = compileBlueprint(
      withMonitoring({
        guardrails: [unsubscribes],
        alerts: [
          { on: 'feature_drift', psi: 0.2, feature: 'hour' },
          { on: 'decide_p99', above: '500us' },
          { on: 'fallback_rate', above: '5%' },
          { on: 'metric_drop', above: 0.02 },
          { on: 'label_rate', below: '10%' },
          { on: 'guardrail', guardrail: 'unsubscribes', above: '10%' },
        ],
      }),
    );
    assert.ok(result.ok, result.ok ? '' : JSON.stringify(result.problems));
    const none = { psi: null, aboveMs: null, above: null, below: null, feature: null, guardrail: null };
    assert.deepEqual(result.blueprint.monitoring.alerts, [
      { ...none, on: 'feature_drift', psi: 0.2, feature: 'hour' },
      { ...none, on: 'decide_p99', aboveMs: 0.5 },
      { ...none, on: 'fallback_rate', above: 0.05 },
      { ...none, on: 'metric_drop', above: 0.02 },
      { ...none, on: 'label_rate', below: 0.1 },
      { ...none, on: 'guardrail', above: 0.1, guardrail: 'unsubscribes' },
    ]);
  });

  it('blueprint rules - alerts name declared features and guardrails', () => {
    const raw = withMonitoring({
      guardrails: [unsubscribes],
      alerts: [
        { on: 'feature_drift', psi: 0.2, feature: 'hours' },
        { on: 'guardrail', above: '10%' },
        { on: 'guardrail', guardrail: 'unsubscribe', above: '10%' },
        { on: 'decide_p99', above: '10ms', feature: 'hour' },
      ],
    });
    assert.deepEqual(messagesOf(raw), [
      'monitoring.alerts[0].feature: "hours" is not a feature of this blueprint',
      'monitoring.alerts[1].guardrail: is required for alert guardrail',
      'monitoring.alerts[2].guardrail: "unsubscribe" is not a guardrail of this blueprint',
      'monitoring.alerts[3].feature: is not used by alert decide_p99',
    ]);
    assert.equal(fixAt(raw, 'monitoring.alerts[0].feature'), 'did you mean hour?');
  });

  it('blueprint rules - guardrails need a unique name, a topic and a window', () => {
    const raw = withMonitoring({
      guardrails: [unsubscribes, { name: 'unsubscribes', match: 'decisionId', entity_field: 'user' }],
    });
    assert.deepEqual(messagesOf(raw), [
      'monitoring.guardrails[1].name: "unsubscribes" is already the name of a guardrail',
      'monitoring.guardrails[1].topic: is required',
      'monitoring.guardrails[1].window: is required',
      'monitoring.guardrails[1].entity_field: is only used by match entity',
    ]);
  });

  it('blueprint rules - experiment arms add up to 100% and include this blueprint', () => {
    const withArms = (arms: unknown) => blueprintWith((bp) => (bp['experiment'] = { name: 'notif_v2', arms }));
    assert.deepEqual(messagesOf(withArms({ notification_send: '50%', notification_send_v2: '40%' })), [
      'experiment.arms: shares add up to 90%, not 100%',
    ]);
    assert.deepEqual(messagesOf(withArms({ other_a: '50%', other_b: '50%' })), [
      'experiment.arms: does not include this blueprint, notification_send',
    ]);
    assert.deepEqual(messagesOf(withArms({ notification_send: 0.5, 'Notif-V2': '50%' })), [
      'experiment.arms.notification_send: 0.5 is not a share like 10%',
      'experiment.arms.Notif-V2: "Notif-V2" is not a name like notification_send',
    ]);
    const result = compileBlueprint(withArms({ notification_send: '33.3%', b: '33.3%', c: '33.4%' }));
    assert.ok(result.ok);
    assert.deepEqual(result.blueprint.experiment, {
      name: 'notif_v2',
      arms: { notification_send: 0.333, b: 0.333, c: 0.334 },
    });
  });
});
