// The dashboards operators look at query only what the services export (habit 3: the metric
// declarations are the one source), and Prometheus scrapes every service.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { configDefaults, looperServiceNames, opsPortOf } from '../../services/lib/config.js';
import { dashboardExpressions, exportedSeries, promqlUses, unexported } from './dashboard-metrics.js';

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');
const dashboard = JSON.parse(read('grafana/looper.json')) as Parameters<typeof dashboardExpressions>[0];

describe('dashboards', () => {
  it('dashboards - every metric and label the Grafana dashboard queries is one the services export', () => {
    const series = exportedSeries();
    const expressions = dashboardExpressions(dashboard);
    assert.ok(expressions.length >= 20, `expressions found: ${expressions.length}`);
    const wrong = expressions.flatMap(({ where, expr }) =>
      unexported(expr, series).map((problem) => `${where}: ${expr}\n  ${problem}`),
    );
    assert.deepEqual(wrong, [], wrong.join('\n'));
  });

  it('dashboards - the dashboard shows latency, traffic, fallbacks, quality, drift, guardrails and consumer lag', () => {
    const queried = new Set(dashboardExpressions(dashboard).flatMap(({ expr }) => promqlUses(expr).metrics));
    for (const metric of [
      'looper_decide_duration_seconds_bucket',
      'looper_model_version_decide_latency_p99_seconds',
      'looper_decide_requests_total',
      'looper_model_version_decisions_per_second',
      'looper_blueprint_fallback_ratio',
      'looper_model_version_fallback_ratio',
      'looper_blueprint_online_quality',
      'looper_blueprint_feature_psi',
      'looper_blueprint_prediction_psi',
      'looper_blueprint_guardrail_per_decision',
      'looper_consumer_lag_records',
    ])
      assert.ok(queried.has(metric), `the dashboard queries ${metric}`);
  });

  it('dashboards - the metric check reads PromQL: names, matchers and groupings, not functions, strings or ranges', () => {
    assert.deepEqual(
      promqlUses(
        'histogram_quantile(0.99, sum by (blueprint, le) (rate(looper_decide_duration_seconds_bucket{blueprint=~"$blueprint"}[$__rate_interval])))',
      ),
      { metrics: ['looper_decide_duration_seconds_bucket'], labels: ['blueprint', 'le'] },
    );
    assert.deepEqual(promqlUses('label_values(looper_decide_requests_total, blueprint)'), {
      metrics: ['looper_decide_requests_total'],
      labels: ['blueprint'],
    });
    const series = exportedSeries();
    assert.deepEqual(unexported('rate(looper_decide_request_total[5m])', series), [
      'looper_decide_request_total is not a metric the services export',
    ]);
    assert.deepEqual(unexported('sum by (model_version) (looper_blueprint_fallback_ratio)', series), [
      'no metric of it has the label model_version',
    ]);
    assert.deepEqual(
      unexported('sum by (service) (rate(looper_decide_requests_total{outcome="error"}[1m]))', series),
      [],
    );
  });

  it('dashboards - Prometheus scrapes /metrics of every service on its default ops port', () => {
    const config = parse(read('prometheus/prometheus.yml')) as {
      scrape_configs: Array<{ metrics_path?: string; static_configs: Array<{ targets: string[] }> }>;
    };
    const targets = config.scrape_configs.flatMap((job) => {
      assert.equal(job.metrics_path ?? '/metrics', '/metrics');
      return job.static_configs.flatMap((s) => s.targets);
    });
    const expected = looperServiceNames.map(
      (s) => `127.0.0.1:${opsPortOf({ opsPortBase: configDefaults.opsPortBase, opsPorts: {} }, s)}`,
    );
    assert.deepEqual([...targets].sort(), [...expected].sort());
  });
});
