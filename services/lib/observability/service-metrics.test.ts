import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import {
  createServiceMetrics,
  looperCounter,
  looperCounters,
  looperGauge,
  looperGauges,
  looperHistogram,
  looperHistograms,
  metricNames,
} from './service-metrics.js';
import { DecideMetrics, UNKNOWN_BLUEPRINT_LABEL } from './decide-metrics.js';

describe('service metrics', () => {
  it('service metrics - every looper metric is named by Prometheus conventions', () => {
    for (const d of Object.values(looperCounters)) assert.match(d.name, /^looper_[a-z_]+_total$/, d.name);
    for (const d of Object.values(looperHistograms)) assert.match(d.name, /^looper_[a-z_]+_seconds$/, d.name);
    for (const d of Object.values(looperGauges)) assert.match(d.name, /^looper_[a-z_]+[a-z]$/, d.name);
    for (const d of Object.values(looperGauges)) assert.doesNotMatch(d.name, /_total$/, d.name);
    const names = Object.values(metricNames);
    assert.equal(new Set(names).size, names.length, 'no name is declared twice');
  });

  it('service metrics - labels every series, default process metrics included, with the service name', async () => {
    const registry = createServiceMetrics('joiner');
    looperGauge(registry, 'joinerDecisionsPending', () => 42);
    const text = await registry.metrics();
    assert.match(text, /^looper_joiner_decisions_pending\{service="joiner"\} 42$/m);
    assert.match(text, /^nodejs_heap_size_used_bytes\{service="joiner"\} \d+/m);
  });

  it('service metrics - returns the same meter when asked twice, instead of failing on a duplicate name', () => {
    const registry = new Registry();
    assert.equal(looperCounter(registry, 'modelsPublished'), looperCounter(registry, 'modelsPublished'));
    assert.equal(looperHistogram(registry, 'decideDuration'), looperHistogram(registry, 'decideDuration'));
  });

  it('decide metrics - counts each outcome and observes one duration per request, under the blueprint', async () => {
    const registry = new Registry();
    const metrics = new DecideMetrics(registry);
    assert.equal(metrics.of('offers'), metrics.of('offers'), 'the series of a blueprint are made once');
    metrics.of('offers').record('model', 0.0004);
    metrics.of('offers').record('fallback', 0.02);
    metrics.unknown.record('error', 0.00005);
    const text = await registry.metrics();
    assert.match(text, /^looper_decide_requests_total\{blueprint="offers",outcome="model"\} 1$/m);
    assert.match(text, /^looper_decide_requests_total\{blueprint="offers",outcome="fallback"\} 1$/m);
    assert.match(text, /^looper_decide_requests_total\{blueprint="offers",outcome="error"\} 0$/m);
    assert.match(
      text,
      new RegExp(`^looper_decide_requests_total\\{blueprint="${UNKNOWN_BLUEPRINT_LABEL}",outcome="error"\\} 1$`, 'm'),
    );
    assert.match(text, /^looper_decide_duration_seconds_bucket\{le="0.0005",blueprint="offers"\} 1$/m);
    assert.match(text, /^looper_decide_duration_seconds_count\{blueprint="offers"\} 2$/m);
  });

  it('decide metrics - counts each declared context feature a request left out, per blueprint and feature', async () => {
    const registry = new Registry();
    const metrics = new DecideMetrics(registry);
    metrics.of('offers').recordMissing(['hour', 'platform']);
    metrics.of('offers').recordMissing(['hour']);
    metrics.of('offers').recordMissing([]);
    metrics.of('other').recordMissing(['hour']);
    metrics.unknown.recordMissing(['hour']);
    const text = await registry.metrics();
    const missing = text
      .split('\n')
      .filter((line) => line.startsWith('looper_decide_context_missing_total{'))
      .sort();
    assert.deepEqual(missing, [
      'looper_decide_context_missing_total{blueprint="offers",feature="hour"} 2',
      'looper_decide_context_missing_total{blueprint="offers",feature="platform"} 1',
      'looper_decide_context_missing_total{blueprint="other",feature="hour"} 1',
    ]);
  });
});
