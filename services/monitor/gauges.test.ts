import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { metricNames } from '../lib/observability/service-metrics.js';
import type { BlueprintMeasures } from './measures.js';
import { MonitorGauges, monitorGaugeDefinitions, NO_MODEL_VERSION } from './gauges.js';

const definitions = Object.values(monitorGaugeDefinitions);

// The same conventions as services/lib/observability/service-metrics.test.ts applies to the
// services' own metrics, plus what the monitor's gauges must not do.
test('monitor gauges - every gauge is named by Prometheus conventions', () => {
  for (const d of definitions) {
    assert.match(d.name, /^looper_[a-z0-9_]+[a-z]$/, d.name);
    assert.doesNotMatch(d.name, /_total$/, `${d.name}: _total is for counters`);
    assert.doesNotMatch(
      d.name,
      /_(ms|milliseconds|us|microseconds|minutes|hours|percent)$|_(ms|us)_/,
      `${d.name}: durations in seconds, shares as ratios`,
    );
    if (/latency|age|duration/.test(d.name)) assert.match(d.name, /_seconds$/, `${d.name}: a duration in base units`);
    assert.ok(
      !(d.labelNames as readonly string[]).includes('quantile'),
      `${d.name}: a quantile label is a summary's, not a gauge's`,
    );
    assert.ok(!(d.labelNames as readonly string[]).includes('le'), `${d.name}: an le label is a histogram's`);
  }
  const names = definitions.map((d) => d.name);
  assert.equal(new Set(names).size, names.length, 'no name is declared twice');
  const services = new Set<string>(Object.values(metricNames));
  for (const name of names) assert.ok(!services.has(name), `${name} is already a service metric`);
});

const measures = (change: Partial<BlueprintMeasures> = {}): BlueprintMeasures => ({
  blueprint: 'offers',
  ts: 0,
  decisions: 450,
  examples: 0,
  requestRate: 7.5,
  decideP50Ms: 1.5,
  decideP99Ms: 2.97,
  fallbackRate: 0.1,
  versions: [
    {
      modelVersion: 'offers/2',
      decisions: 100,
      requestRate: 2.5,
      decideP50Ms: 0.5,
      decideP99Ms: null,
      fallbackRate: 0,
    },
    { modelVersion: null, decisions: 50, requestRate: 0.5, decideP50Ms: 0.25, decideP99Ms: null, fallbackRate: 1 },
  ],
  labelRate: null,
  quality: { top1_accuracy: 0.25 },
  models: [],
  metricDrop: null,
  metricDropMetric: null,
  metricDropReference: null,
  modelVersion: 'offers/2',
  modelAgeS: null,
  predictionPsi: null,
  driftReference: '',
  features: [],
  guardrails: [],
  qualityShifts: [],
  arms: [],
  ...change,
});

test('monitor gauges - latency in seconds as separate p50 and p99 gauges, and traffic per model version', async () => {
  const registry = new Registry();
  const gauges = new MonitorGauges(registry);
  gauges.update([measures()], [], []);
  const text = await registry.metrics();
  assert.match(text, /^# TYPE looper_blueprint_decide_latency_p50_seconds gauge$/m);
  assert.match(text, /^looper_blueprint_decide_latency_p50_seconds\{blueprint="offers"\} 0\.0015$/m);
  assert.match(text, /^looper_blueprint_decide_latency_p99_seconds\{blueprint="offers"\} 0\.00297$/m);
  assert.match(text, /^looper_blueprint_online_quality\{blueprint="offers",metric="top1_accuracy"\} 0\.25$/m);
  assert.match(
    text,
    /^looper_model_version_decisions_per_second\{blueprint="offers",model_version="offers\/2"\} 2\.5$/m,
  );
  assert.match(
    text,
    /^looper_model_version_decide_latency_p50_seconds\{blueprint="offers",model_version="offers\/2"\} 0\.0005$/m,
  );
  assert.match(
    text,
    new RegExp(
      `^looper_model_version_fallback_ratio\\{blueprint="offers",model_version="${NO_MODEL_VERSION}"\\} 1$`,
      'm',
    ),
  );
  assert.doesNotMatch(text, /^looper_model_version_decide_latency_p99_seconds\{/m, 'no p99 below 200 decisions');
  assert.doesNotMatch(text, /quantile=/);
  gauges.update([measures({ versions: [] })], [], []);
  assert.doesNotMatch(
    await registry.metrics(),
    /^looper_model_version_\w+\{/m,
    'a version that stopped answering leaves no series',
  );
});
