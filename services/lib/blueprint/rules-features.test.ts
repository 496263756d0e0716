// The compiler's rules for the blueprint's identity, its keys and types, features and label.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileBlueprint } from './compile.js';
import { DEFAULT_LATENESS_MS } from './compile-features.js';
import { blueprintWith, messagesOf, problemsOf } from './test-blueprints.js';

const withStreams = (...streams: unknown[]) => blueprintWith((bp) => (bp['features'] = { streams }));
const withContext = (...context: unknown[]) => blueprintWith((bp) => (bp['features'] = { context }));
const fixAt = (raw: unknown, path: string) => problemsOf(raw).find((p) => p.path === path)?.fix;

describe('blueprint rules: identity, keys and types', () => {
  it('blueprint rules - requires blueprint, task, entity, label and decision', () => {
    assert.deepEqual(messagesOf({ description: 'nothing else' }), [
      'blueprint: is required',
      'task: is required',
      'entity: is required',
      'label: is required',
      'decision: is required',
    ]);
  });

  it('blueprint rules - requires decision.policy, actions and default', () => {
    assert.deepEqual(messagesOf(blueprintWith((bp) => (bp['decision'] = {}))), [
      'decision.policy: is required',
      'decision.actions: is required',
      'decision.default: is required',
    ]);
  });

  it('blueprint rules - names are lower_snake_case tokens, and the fix offers one', () => {
    const raw = blueprintWith((bp) => (bp['blueprint'] = 'Notification Send!'));
    assert.deepEqual(messagesOf(raw), ['blueprint: "Notification Send!" is not a name like notification_send']);
    assert.equal(
      fixAt(raw, 'blueprint'),
      'use lower-case letters, digits and _, starting with a letter, at most 64 characters (it becomes a NATS subject token and a topic key), e.g. notification_send',
    );
    assert.deepEqual(messagesOf(blueprintWith((bp) => (bp['blueprint'] = `a${'b'.repeat(64)}`))), [
      `blueprint: "a${'b'.repeat(56)}..." is not a name like notification_send`,
    ]);
    assert.deepEqual(messagesOf(blueprintWith((bp) => (bp['entity'] = '1user'))), [
      'entity: "1user" is not a name like user',
    ]);
  });

  it('blueprint rules - reports unknown keys at any depth with the key probably meant', () => {
    const raw = blueprintWith((bp) => {
      bp['tsk'] = 'ranking';
      bp['features'] = {
        streams: [{ name: 'opens_1d', topic: 'app.opens', aggregate: 'count', windw: '1d', window: '1d' }],
      };
      bp['rollout'] = { shadow: { minExamples: 10 } };
      bp['training'] = { colour: 'blue' };
    });
    const problems = problemsOf(raw);
    assert.deepEqual(
      problems.map((p) => `${p.path}: ${p.message} (${p.fix})`),
      [
        'tsk: is not a key of a blueprint (did you mean task?)',
        'features.streams[0].windw: is not a key of a stream feature (did you mean window?)',
        'training.colour: is not a key of training (remove it; training has online, publish_every, retrain, propensity_clip, forget)',
        'rollout.shadow.minExamples: is not a key of shadow (did you mean min_examples?)',
      ],
    );
  });

  it('blueprint rules - reports values of the wrong type', () => {
    const raw = blueprintWith((bp) => {
      bp['task'] = 3;
      bp['description'] = ['a', 'list'];
      bp['features'] = { context: 'hour' };
      bp['training'] = { online: 'yes' };
    });
    assert.deepEqual(messagesOf(raw), [
      'description: a list is not text',
      'task: 3 is not one of classification, estimation, ranking, sequence, planning',
      'features.context: "hour" is not a list',
      'training.online: "yes" is not true or false',
    ]);
    assert.equal(fixAt(raw, 'features.context'), 'write a list, e.g. [hour]');
  });

  it('blueprint rules - enum values get a did-you-mean, or the advice to pick from the list', () => {
    const near = blueprintWith((bp) => (bp['task'] = 'clasification'));
    assert.deepEqual(messagesOf(near), [
      'task: "clasification" is not one of classification, estimation, ranking, sequence, planning',
    ]);
    assert.equal(fixAt(near, 'task'), 'did you mean classification?');
    assert.equal(
      fixAt(
        blueprintWith((bp) => (bp['task'] = 'forecast')),
        'task',
      ),
      'use one of the values listed',
    );
  });
});

describe('blueprint rules: features', () => {
  it('blueprint rules - feature names are unique across context and streams', () => {
    const raw = blueprintWith((bp) => {
      bp['features'] = {
        context: [{ name: 'hour', type: 'int' }],
        streams: [
          { name: 'opens', topic: 'app.opens', aggregate: 'count', window: '1d' },
          { name: 'hour', topic: 'app.opens', aggregate: 'count', window: '1h' },
          { name: 'opens', topic: 'app.opens', aggregate: 'count', window: '7d' },
        ],
      };
    });
    assert.deepEqual(messagesOf(raw), [
      'features.streams[1].name: "hour" is already the name of features.context[0]',
      'features.streams[2].name: "opens" is already the name of features.streams[0]',
    ]);
  });

  it('blueprint rules - every aggregate but count needs a field, and count takes none', () => {
    assert.deepEqual(messagesOf(withStreams({ name: 's', topic: 'app.buys', aggregate: 'sum', window: '1d' })), [
      'features.streams[0].field: is required for aggregate sum',
    ]);
    assert.deepEqual(
      messagesOf(withStreams({ name: 'c', topic: 'app.buys', aggregate: 'count', field: 'amount', window: '1d' })),
      ['features.streams[0].field: is only used by aggregates other than count'],
    );
  });

  it('blueprint rules - windowed aggregates need a window; last, ewma and last_n may have one', () => {
    for (const aggregate of ['count', 'sum', 'mean', 'min', 'max', 'distinct']) {
      const field = aggregate === 'count' ? {} : { field: 'amount' };
      assert.deepEqual(messagesOf(withStreams({ name: 'f', topic: 'app.buys', aggregate, ...field })), [
        `features.streams[0].window: is required for aggregate ${aggregate}`,
      ]);
    }
    const result = compileBlueprint(
      withStreams(
        { name: 'l', topic: 'app.buys', aggregate: 'last', field: 'amount' },
        { name: 'lw', topic: 'app.buys', aggregate: 'last', field: 'amount', window: '1h' },
        { name: 'e', topic: 'app.buys', aggregate: 'ewma', field: 'amount', half_life: '1h' },
        { name: 'n', topic: 'app.buys', aggregate: 'last_n', field: 'item', n: 5 },
      ),
    );
    assert.ok(result.ok);
    assert.deepEqual(
      result.blueprint.features.streams.map((s) => [s.name, s.windowMs, s.halfLifeMs, s.n]),
      [
        ['l', null, null, null],
        ['lw', 3_600_000, null, null],
        ['e', null, 3_600_000, null],
        ['n', null, null, 5],
      ],
    );
  });

  it('blueprint rules - ewma needs a half_life, which no other aggregate takes', () => {
    assert.deepEqual(messagesOf(withStreams({ name: 'e', topic: 'app.buys', aggregate: 'ewma', field: 'amount' })), [
      'features.streams[0].half_life: is required for aggregate ewma',
    ]);
    assert.deepEqual(
      messagesOf(
        withStreams({
          name: 'm',
          topic: 'app.buys',
          aggregate: 'mean',
          field: 'amount',
          window: '1d',
          half_life: '1h',
        }),
      ),
      ['features.streams[0].half_life: is only used by aggregate ewma'],
    );
    assert.deepEqual(
      messagesOf(withStreams({ name: 'n', topic: 'app.buys', aggregate: 'last_n', field: 'item', n: 0 })),
      ['features.streams[0].n: 0 is not between 1 and 10000'],
    );
  });

  it('blueprint rules - durations are checked, and a number without a unit gets one suggested', () => {
    const raw = withStreams(
      { name: 'a', topic: 'app.opens', aggregate: 'count', window: 'one hour' },
      { name: 'b', topic: 'app.opens', aggregate: 'count', window: 3600 },
      { name: 'c', topic: 'app.opens', aggregate: 'count', window: '0s' },
      { name: 'd', topic: 'app.opens', aggregate: 'count', window: '1500us' },
      { name: 'e', topic: 'app.opens', aggregate: 'count', window: '1h', lateness: '0s' },
    );
    assert.deepEqual(messagesOf(raw), [
      'features.streams[0].window: "one hour" is not a duration like 1h',
      'features.streams[1].window: 3600 is not a duration like 1h',
      'features.streams[2].window: "0s" is not longer than 0',
      'features.streams[3].window: "1500us" is not a whole number of milliseconds',
    ]);
    assert.equal(fixAt(raw, 'features.streams[1].window'), 'add a unit (us, ms, s, m, h or d), e.g. 3600s');
  });

  it('blueprint rules - stream features compile lateness, entity_field and format', () => {
    const result = compileBlueprint(
      withStreams({
        name: 'buys',
        topic: 'shop.buys',
        aggregate: 'count',
        window: '1d',
        lateness: '5m',
        entity_field: 'user_id',
        format: 'avro',
      }),
    );
    assert.ok(result.ok);
    assert.deepEqual(result.blueprint.features.streams[0], {
      name: 'buys',
      topic: 'shop.buys',
      aggregate: 'count',
      field: null,
      windowMs: 86_400_000,
      halfLifeMs: null,
      n: null,
      latenessMs: 300_000,
      entityField: 'user_id',
      format: 'avro',
    });
    assert.deepEqual(
      messagesOf(withStreams({ name: 'x', topic: 'app opens', aggregate: 'count', window: '1d', format: 'protobuf' })),
      [
        'features.streams[0].topic: "app opens" is not a Kafka topic name',
        'features.streams[0].format: "protobuf" is not one of json, avro',
      ],
    );
  });

  it('blueprint rules - a stream feature that declares no lateness gets 5 s, and lateness 0s stays 0', () => {
    assert.equal(DEFAULT_LATENESS_MS, 5000);
    const result = compileBlueprint(
      withStreams(
        { name: 'opens', topic: 'app.opens', aggregate: 'count', window: '1d' },
        { name: 'strict', topic: 'app.opens', aggregate: 'count', window: '1d', lateness: '0s' },
      ),
    );
    assert.ok(result.ok);
    assert.deepEqual(
      result.blueprint.features.streams.map((s) => [s.name, s.latenessMs]),
      [
        ['opens', 5000],
        ['strict', 0],
      ],
    );
  });

  it('blueprint rules - category context features need their values; other types take none', () => {
    assert.deepEqual(messagesOf(withContext({ name: 'platform', type: 'category' })), [
      'features.context[0].values: is required for type category',
    ]);
    assert.deepEqual(messagesOf(withContext({ name: 'platform', type: 'category', values: [] })), [
      'features.context[0].values: is empty',
    ]);
    assert.deepEqual(messagesOf(withContext({ name: 'hour', type: 'int', values: [1, 2] })), [
      'features.context[0].values: is only used by type category',
    ]);
    const result = compileBlueprint(withContext({ name: 'tier', type: 'category', values: [1, 2, 'gold'] }));
    assert.ok(result.ok);
    assert.deepEqual(result.blueprint.features.context, [
      { name: 'tier', type: 'category', values: ['1', '2', 'gold'], period: null },
    ]);
  });

  it('blueprint rules - a period makes an int or float cyclic; categories and bools take none', () => {
    const cyclic = compileBlueprint(withContext({ name: 'hour', type: 'int', period: 24 }));
    assert.ok(cyclic.ok);
    assert.deepEqual(cyclic.blueprint.features.context, [{ name: 'hour', type: 'int', values: [], period: 24 }]);
    assert.deepEqual(messagesOf(withContext({ name: 'hour', type: 'int', period: 0 })), [
      'features.context[0].period: 0 is not more than 0',
    ]);
    assert.deepEqual(messagesOf(withContext({ name: 'vip', type: 'bool', period: 7 })), [
      'features.context[0].period: is only used by type int or float',
    ]);
  });
});

describe('blueprint rules: label', () => {
  const withLabel = (label: unknown) => blueprintWith((bp) => (bp['label'] = label));

  it('blueprint rules - label.window is required', () => {
    assert.deepEqual(messagesOf(withLabel({ value: 1 })), ['label.window: is required']);
  });

  it('blueprint rules - label.value is a number or { field }', () => {
    assert.deepEqual(messagesOf(withLabel({ window: '30m', value: 'yes' })), [
      'label.value: "yes" is not a number or { field: name }',
    ]);
    assert.deepEqual(messagesOf(withLabel({ window: '30m', value: { feild: 'amount' } })), [
      'label.value.feild: is not a key of a label value',
      'label.value.field: is required',
    ]);
    const result = compileBlueprint(
      blueprintWith((bp) => {
        bp['task'] = 'estimation';
        bp['label'] = { window: '1d', value: { field: 'amount' } };
        bp['decision'] = { policy: 'argmax', actions: ['show'], default: 'show' };
      }),
    );
    assert.ok(result.ok);
    assert.deepEqual([result.blueprint.label.valueConstant, result.blueprint.label.valueField], [null, 'amount']);
  });

  it('blueprint rules - classification labels are 0 or 1', () => {
    assert.deepEqual(messagesOf(withLabel({ window: '30m', value: 5, missing: -1 })), [
      'label.value: 5 is not 0 or 1',
      'label.missing: -1 is not 0 or 1',
    ]);
  });

  it('blueprint rules - a product topic source is matched by entity and counts an event as 1', () => {
    const result = compileBlueprint(withLabel({ source: 'app.opens', window: '1h', missing: 0 }));
    assert.ok(result.ok);
    assert.deepEqual(result.blueprint.label, {
      topic: 'app.opens',
      match: 'entity',
      windowMs: 3_600_000,
      valueConstant: 1,
      valueField: null,
      missing: 0,
      entityField: null,
      format: 'json',
    });
    const long = compileBlueprint(
      withLabel({ source: { topic: 'shop.buys', entity_field: 'user_id', format: 'avro' }, window: '1h' }),
    );
    assert.ok(long.ok);
    assert.deepEqual(
      [
        long.blueprint.label.topic,
        long.blueprint.label.match,
        long.blueprint.label.entityField,
        long.blueprint.label.format,
      ],
      ['shop.buys', 'entity', 'user_id', 'avro'],
    );
  });

  it('blueprint rules - looper.outcomes is matched by decision id only', () => {
    assert.deepEqual(
      messagesOf(
        withLabel({ source: { topic: 'looper.outcomes', match: 'entity', entity_field: 'user' }, window: '1h' }),
      ),
      [
        'label.source.match: "entity" does not fit looper.outcomes',
        'label.source.entity_field: is only used by a product topic source',
      ],
    );
    assert.deepEqual(messagesOf(withLabel({ source: { topic: 'app.opens', match: 'decision_id' }, window: '1h' })), [
      'label.source.match: "decision_id" is not one of decisionId, entity',
    ]);
  });
});
