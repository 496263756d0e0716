import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileBlueprint } from '../blueprint/compile.js';
import { blueprintWith } from '../blueprint/test-blueprints.js';
import { featureSchema, featureSchemaFromBlueprint } from './feature-schema.js';

function compiled() {
  const result = compileBlueprint(
    blueprintWith((bp) => {
      bp.features = {
        context: [
          { name: 'hour', type: 'int' },
          { name: 'premium', type: 'bool' },
          { name: 'platform', type: 'category', values: ['ios', 'android', 'web'] },
          { name: 'ratio', type: 'float' },
        ],
        streams: [
          { name: 'opens_1d', topic: 'app.opens', aggregate: 'count', window: '1d' },
          { name: 'session_mean_7d', topic: 'app.sessions', field: 'duration_s', aggregate: 'mean', window: '7d' },
          { name: 'last_country', topic: 'app.sessions', field: 'country', aggregate: 'last' },
          { name: 'recent_items', topic: 'app.views', field: 'item', aggregate: 'last_n', n: 5 },
          { name: 'spend_ewma', topic: 'app.purchases', field: 'amount', aggregate: 'ewma', half_life: '1d' },
        ],
      };
    }),
  );
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.blueprint;
}

test('feature schema - context then streams in declaration order, each with its kind, counts on a log scale', () => {
  assert.deepEqual(featureSchemaFromBlueprint(compiled()).features, [
    { name: 'hour', kind: 'numeric' },
    { name: 'premium', kind: 'numeric' },
    { name: 'platform', kind: 'category', values: ['ios', 'android', 'web'] },
    { name: 'ratio', kind: 'numeric' },
    { name: 'opens_1d', kind: 'numeric', log: true },
    { name: 'session_mean_7d', kind: 'numeric' },
    { name: 'last_country', kind: 'mixed' },
    { name: 'spend_ewma', kind: 'numeric' },
  ]);
});

test('feature schema - last_n sequences are not model inputs of these families', () => {
  assert.ok(!featureSchemaFromBlueprint(compiled()).features.some((f) => f.name === 'recent_items'));
});

test('feature schema - the schema does not share arrays with the blueprint', () => {
  const bp = compiled();
  const schema = featureSchemaFromBlueprint(bp);
  bp.features.context[2]?.values.push('tv');
  assert.deepEqual(schema.features[2], { name: 'platform', kind: 'category', values: ['ios', 'android', 'web'] });
});

test('feature schema - refuses a name used twice, naming it', () => {
  assert.throws(
    () =>
      featureSchema([
        { name: 'a', kind: 'numeric' },
        { name: 'a', kind: 'mixed' },
      ]),
    {
      name: 'FeatureSchemaError',
      message: 'feature "a" is declared twice: feature names must be unique across context and streams',
    },
  );
});

test('feature schema - refuses a category that lists a value twice', () => {
  assert.throws(() => featureSchema([{ name: 'p', kind: 'category', values: ['x', 'x'] }]), {
    name: 'FeatureSchemaError',
    message: 'category feature "p" lists a value twice: values must be unique',
  });
});
