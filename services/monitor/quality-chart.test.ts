// The dashboard's quality chart (dashboard/charts.js, plain browser JavaScript) picks its series
// from the blueprint's quality plan: tested here in Node, without uPlot, as it only builds options.
import { test } from 'node:test';
import assert from 'node:assert/strict';

interface ChartSpec {
  readonly keys: string[];
  readonly signature: string;
  readonly data: unknown[][];
}
type QualityChart = (blueprint: unknown, series: Record<string, Array<[number, number]>>) => ChartSpec;

const { qualityChart } = (await import(new URL('./dashboard/charts.js', import.meta.url).href)) as {
  qualityChart: QualityChart;
};

test('quality chart - a sequence blueprint charts top-1 accuracy bold, with the other class metrics it has', () => {
  const bp = {
    metric: 'logloss',
    qualityPlan: {
      headline: 'top1_accuracy',
      metrics: ['top1_accuracy', 'topk_accuracy', 'mrr', 'ndcg'],
      note: 'logloss is not measured online',
    },
  };
  const chart = qualityChart(bp, {
    top1_accuracy: [
      [1, 0.4],
      [2, 0.5],
    ],
    mrr: [[2, 0.6]],
    request_rate: [[1, 3]],
  });
  assert.deepEqual(chart.keys, ['top1_accuracy', 'mrr']);
  assert.equal(chart.signature, 'quality|top1_accuracy:y,mrr:y');
  assert.deepEqual(chart.data, [
    [1, 2],
    [0.4, 0.5],
    [null, 0.6],
  ]);
});

test('quality chart - a binary classifier charts its objective, other metrics on the right axis', () => {
  const bp = {
    metric: 'auc',
    qualityPlan: { headline: 'auc', metrics: ['auc', 'logloss', 'calibration_error'], note: null },
  };
  const chart = qualityChart(bp, { auc: [[1, 0.7]], logloss: [[1, 0.6]] });
  assert.equal(chart.signature, 'quality|auc:y,logloss:y2');
  assert.deepEqual(qualityChart(bp, {}).keys, ['auc'], 'before any data: the headline, empty');
});
