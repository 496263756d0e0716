import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_VERSIONS_REPORTED, VersionRates, versionTraffic, type VersionDecision } from './version-traffic.js';

const T0 = 1_750_000_000_000; // a whole second

/** v1: 300 decisions of 0.01..3 ms, every tenth a fallback; v2: 100 of 0.5 ms; then 50 the default answered. */
function recent(): VersionDecision[] {
  return [
    ...Array.from({ length: 300 }, (_, i) => ({
      modelVersion: 'bp/1',
      ts: T0 + i,
      latencyUs: (i + 1) * 10,
      fallback: i % 10 === 0,
    })),
    ...Array.from({ length: 100 }, (_, i) => ({
      modelVersion: 'bp/2',
      ts: T0 + 300 + i,
      latencyUs: 500,
      fallback: false,
    })),
    ...Array.from({ length: 50 }, (_, i) => ({ modelVersion: null, ts: T0 + 400 + i, latencyUs: 200, fallback: true })),
  ];
}

describe('version traffic', () => {
  it('version traffic - rate, latency quantiles and fallbacks per version, the one that decided last first', () => {
    const rates = new VersionRates(600_000);
    for (const d of recent()) rates.add(d.modelVersion, d.ts);
    assert.deepEqual(versionTraffic(recent(), rates, T0 + 999, 200), [
      { modelVersion: null, decisions: 50, requestRate: 50 / 60, decideP50Ms: 0.2, decideP99Ms: null, fallbackRate: 1 },
      {
        modelVersion: 'bp/2',
        decisions: 100,
        requestRate: 100 / 60,
        decideP50Ms: 0.5,
        decideP99Ms: null,
        fallbackRate: 0,
      },
      // Nearest rank of 300: the 150th (1.5 ms) and the 297th (2.97 ms).
      {
        modelVersion: 'bp/1',
        decisions: 300,
        requestRate: 300 / 60,
        decideP50Ms: 1.5,
        decideP99Ms: 2.97,
        fallbackRate: 0.1,
      },
    ]);
  });

  it('version traffic - reports at most MAX_VERSIONS_REPORTED versions, and forgets a silent one', () => {
    const many = Array.from({ length: MAX_VERSIONS_REPORTED + 5 }, (_, i) => ({
      modelVersion: `bp/${i}`,
      ts: T0 + i,
      latencyUs: 100,
      fallback: false,
    }));
    const reported = versionTraffic(many, { perSecond: () => 0 }, T0 + 100, 200);
    assert.equal(reported.length, MAX_VERSIONS_REPORTED);
    assert.equal(reported[0]!.modelVersion, `bp/${MAX_VERSIONS_REPORTED + 4}`);
    const rates = new VersionRates(60_000);
    rates.add('bp/1', T0);
    rates.add('bp/2', T0 + 30_000);
    rates.forget(T0 + 60_001);
    assert.equal(rates.size, 1, 'bp/1 decided nothing for more than a minute');
    assert.equal(rates.perSecond('bp/2', T0 + 30_000), 1 / 60);
    assert.equal(rates.perSecond('bp/1', T0 + 30_000), 0);
  });
});
