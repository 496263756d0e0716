import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileBlueprint } from '../blueprint/compile.js';
import { minimalBlueprint, minimalBlueprintOf, type RawBlueprint } from '../blueprint/test-blueprints.js';
import type { Blueprint } from '../schemas/generated.js';
import { higherIsBetter, isQualityMetric, QUALITY_METRICS, qualityPlanOf } from './quality-plan.js';

function compiled(raw: RawBlueprint): Blueprint {
  const result = compileBlueprint(raw);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.blueprint;
}

const multiClass = (decision: Record<string, unknown>, metric?: string) =>
  compiled({
    ...minimalBlueprintOf('classification'),
    label: { window: '30m', value: { field: 'class' } },
    decision: { actions: ['a', 'b', 'c'], default: 'a', ...decision },
    ...(metric ? { objective: { metric } } : {}),
  });

describe('quality plan', () => {
  it("quality plan - binary classification, estimation, ranking and planning measure their objective; ranking's drop falls back to AUC", () => {
    const summary = (bp: Blueprint) => {
      const p = qualityPlanOf(bp);
      return [p.headline, p.metrics, p.dropMetrics, p.note];
    };
    assert.deepEqual(summary(compiled(minimalBlueprint())), [
      'auc',
      ['auc', 'logloss', 'calibration_error'],
      ['auc'],
      null,
    ]);
    assert.deepEqual(summary(compiled({ ...minimalBlueprint(), objective: { metric: 'logloss' } })), [
      'logloss',
      ['logloss', 'auc', 'calibration_error'],
      ['logloss'],
      null,
    ]);
    assert.deepEqual(
      summary(
        compiled({
          ...minimalBlueprintOf('estimation'),
          objective: { metric: 'mae' },
          automl: { families: ['linear'] },
        }),
      ),
      ['mae', ['mae', 'rmse'], ['mae'], null],
    );
    assert.deepEqual(summary(compiled(minimalBlueprintOf('ranking'))), [
      'ndcg',
      ['ndcg', 'mrr', 'judged_share', 'auc'],
      ['ndcg', 'auc'],
      null,
    ]);
    assert.deepEqual(
      summary(
        compiled({
          ...minimalBlueprint(),
          task: 'planning',
          decision: { policy: 'epsilon_greedy', epsilon: 0.1, actions: ['a', 'b'], default: 'a' },
        }),
      ),
      ['reward', ['reward'], ['reward'], null],
    );
  });

  it('quality plan - multi-class top_k over every class logs all probabilities: log-loss is measured', () => {
    assert.deepEqual(qualityPlanOf(multiClass({ policy: 'top_k', k: 3 }, 'logloss')), {
      metrics: ['logloss', 'top1_accuracy', 'topk_accuracy', 'mrr'],
      headline: 'logloss',
      dropMetrics: ['logloss', 'top1_accuracy'],
      allClassProbabilities: true,
      classNdcgAt: 3,
      note: null,
    });
  });

  it('quality plan - multi-class argmax cannot give log-loss or AUC: top-1 accuracy stands in, and the note says why', () => {
    const logloss = qualityPlanOf(multiClass({ policy: 'argmax' }, 'logloss'));
    assert.deepEqual(
      [logloss.headline, logloss.metrics, logloss.dropMetrics, logloss.allClassProbabilities],
      ['top1_accuracy', ['top1_accuracy', 'topk_accuracy', 'mrr'], ['top1_accuracy'], false],
    );
    assert.equal(
      logloss.note,
      "logloss is not measured online: a decision logs the probability of the one class returned (policy argmax) only, not that of the true class when it was not among them (policy top_k with k: 3 logs all its 3 classes); quality is shown as top-1 accuracy, and metric_drop compares it with the trainer's",
    );
    const auc = qualityPlanOf(multiClass({ policy: 'argmax' }));
    assert.equal(auc.headline, 'top1_accuracy');
    assert.equal(
      auc.note,
      'auc is not measured for a multi-class model (the trainer judges it by log-loss and publishes no AUC); quality is shown as top-1 accuracy',
    );
  });

  it('quality plan - a sequence measures NDCG over the items returned, and says when its cut-off reaches below them', () => {
    const argmax = qualityPlanOf(compiled(minimalBlueprintOf('sequence')));
    assert.deepEqual(
      [argmax.headline, argmax.metrics],
      ['top1_accuracy', ['top1_accuracy', 'topk_accuracy', 'mrr', 'ndcg']],
    );
    assert.match(argmax.note!, /^logloss is not measured online: .*; quality is shown as top-1 accuracy/);
    assert.doesNotMatch(argmax.note!, /policy top_k with k/, 'a vocabulary of 1000 is more than a reply lists');
    const ndcg = qualityPlanOf(
      compiled({
        ...minimalBlueprintOf('sequence'),
        decision: { policy: 'top_k', k: 5 },
        objective: { metric: 'ndcg@10' },
      }),
    );
    assert.deepEqual(
      [ndcg.headline, ndcg.metrics, ndcg.dropMetrics, ndcg.classNdcgAt],
      ['ndcg', ['ndcg', 'top1_accuracy', 'topk_accuracy', 'mrr'], ['ndcg', 'top1_accuracy'], 10],
    );
    assert.equal(
      ndcg.note,
      "ndcg is measured over the classes returned, as ndcg@5 (the objective's ndcg@10 reaches below the 5 logged); the trainer publishes no ndcg, so metric_drop compares top-1 accuracy",
    );
  });

  it('quality plan - every blueprint metric is a quality metric, with its direction', () => {
    for (const m of ['auc', 'logloss', 'rmse', 'mae', 'ndcg', 'reward']) assert.ok(isQualityMetric(m), m);
    assert.equal(isQualityMetric('request_rate'), false);
    assert.deepEqual(QUALITY_METRICS.filter(higherIsBetter), [
      'auc',
      'ndcg',
      'mrr',
      'judged_share',
      'reward',
      'top1_accuracy',
      'topk_accuracy',
    ]);
  });
});
