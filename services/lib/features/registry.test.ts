// What the features service consumes, from the registered blueprints.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileBlueprint } from '../blueprint/compile.js';
import { blueprintWith } from '../blueprint/test-blueprints.js';
import type { Blueprint } from '../schemas/generated.js';
import { planFeatureStreams, streamSpecId } from './registry.js';

/** A compiled blueprint named `name` (version `version`) with these stream features. */
function blueprint(name: string, streams: unknown[], version = 1): Blueprint {
  const result = compileBlueprint(
    blueprintWith((bp) => {
      bp['blueprint'] = name;
      bp['features'] = { streams };
    }),
  );
  assert.ok(result.ok, result.ok ? '' : JSON.stringify(result.problems));
  return { ...result.blueprint, version };
}

// Blueprints that declare no lateness get the default, 5 s, and their ids say so.
const OPENS_1D = 'app.opens|count|-|86400000|-|-|5000|-';
const SESSION_MEAN_7D = 'app.sessions|mean|duration_s|604800000|-|-|5000|-';
const LAST_COUNTRY = 'app.sessions|last|country|-|-|-|5000|-';

describe('feature stream plan', () => {
  it('plan - ids a spec by everything that shapes its state, - for null', () => {
    assert.equal(
      streamSpecId({
        topic: 'app.buys',
        aggregate: 'ewma',
        field: 'amount',
        windowMs: 3_600_000,
        halfLifeMs: 600_000,
        n: null,
        latenessMs: 5000,
        entityField: 'user_id',
      }),
      'app.buys|ewma|amount|3600000|600000|-|5000|user_id',
    );
  });

  it('plan - two blueprints declaring the same aggregation under different names share one spec', () => {
    const plan = planFeatureStreams([
      blueprint('notification_send', [
        { name: 'opens_1d', topic: 'app.opens', aggregate: 'count', window: '1d' },
        { name: 'session_mean_7d', topic: 'app.sessions', field: 'duration_s', aggregate: 'mean', window: '7d' },
        { name: 'last_country', topic: 'app.sessions', field: 'country', aggregate: 'last' },
      ]),
      blueprint('email_send', [
        { name: 'daily_opens', topic: 'app.opens', aggregate: 'count', window: '24h' },
        { name: 'opens_1h', topic: 'app.opens', aggregate: 'count', window: '1h' },
      ]),
    ]);
    assert.deepEqual(
      plan.topics.map((t) => [t.topic, t.format, t.specs.map((s) => s.id)]),
      [
        ['app.opens', 'json', ['app.opens|count|-|3600000|-|-|5000|-', OPENS_1D]],
        ['app.sessions', 'json', [LAST_COUNTRY, SESSION_MEAN_7D]],
      ],
    );
    assert.deepEqual(plan.blueprints.get('notification_send'), [
      { feature: 'opens_1d', specId: OPENS_1D },
      { feature: 'session_mean_7d', specId: SESSION_MEAN_7D },
      { feature: 'last_country', specId: LAST_COUNTRY },
    ]);
    assert.deepEqual(plan.blueprints.get('email_send'), [
      { feature: 'daily_opens', specId: OPENS_1D },
      { feature: 'opens_1h', specId: 'app.opens|count|-|3600000|-|-|5000|-' },
    ]);
    assert.equal(plan.specs.size, 4);
    assert.deepEqual(plan.specs.get(SESSION_MEAN_7D), {
      id: SESSION_MEAN_7D,
      topic: 'app.sessions',
      aggregate: 'mean',
      field: 'duration_s',
      windowMs: 604_800_000,
      halfLifeMs: null,
      n: null,
      latenessMs: 5000,
      entityField: null,
    });
    assert.deepEqual(plan.conflicts, []);
  });

  it('plan - lateness and entity field make different states, hence different specs', () => {
    const plan = planFeatureStreams([
      blueprint('a', [
        { name: 'opens', topic: 'app.opens', aggregate: 'count', window: '1d' },
        { name: 'opens_late', topic: 'app.opens', aggregate: 'count', window: '1d', lateness: '5m' },
        { name: 'opens_by_device', topic: 'app.opens', aggregate: 'count', window: '1d', entity_field: 'device_id' },
      ]),
    ]);
    assert.deepEqual([...plan.specs.keys()].sort(), [
      'app.opens|count|-|86400000|-|-|300000|-',
      OPENS_1D,
      'app.opens|count|-|86400000|-|-|5000|device_id',
    ]);
  });

  it('plan - only the newest version of a blueprint counts', () => {
    const plan = planFeatureStreams([
      blueprint('a', [{ name: 'opens', topic: 'app.opens', aggregate: 'count', window: '1d' }], 2),
      blueprint('a', [{ name: 'buys', topic: 'app.buys', aggregate: 'count', window: '1d' }], 1),
    ]);
    assert.deepEqual(
      plan.topics.map((t) => t.topic),
      ['app.opens'],
    );
    assert.deepEqual(plan.blueprints.get('a'), [{ feature: 'opens', specId: OPENS_1D }]);
  });

  it('plan - reports a topic that blueprints read in different formats, and keeps the first by blueprint name', () => {
    const plan = planFeatureStreams([
      blueprint('b', [{ name: 'opens', topic: 'app.opens', aggregate: 'count', window: '1d', format: 'json' }]),
      blueprint('a', [{ name: 'opens', topic: 'app.opens', aggregate: 'count', window: '1d', format: 'avro' }]),
    ]);
    assert.equal(plan.topics[0]?.format, 'avro');
    assert.deepEqual(plan.conflicts, [
      'topic "app.opens" is read as avro by blueprint a and as json by blueprint b (feature opens); avro is used',
    ]);
  });

  it('plan - no blueprints, or none with stream features, consume nothing', () => {
    assert.deepEqual(planFeatureStreams([]), { topics: [], specs: new Map(), blueprints: new Map(), conflicts: [] });
    assert.deepEqual(planFeatureStreams([blueprint('a', [])]).blueprints, new Map([['a', []]]));
  });
});
