import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileBlueprint } from '../lib/blueprint/compile.js';
import { minimalBlueprint } from '../lib/blueprint/test-blueprints.js';
import type { DecideReply } from '../lib/decide/reply.js';
import { decisionRecord, type DecideContext } from './decision-record.js';

const compiled = compileBlueprint({ ...minimalBlueprint(), apprentice: {} });
if (!compiled.ok) throw new Error(JSON.stringify(compiled.problems));
const bp = { ...compiled.blueprint, version: 3 };

const context: DecideContext = {
  asked: bp,
  bp,
  entity: 'user-7',
  features: { hour: 20 },
  deadlineMs: 20,
  started: performance.now(),
  receivedAt: 1_767_225_600_000,
};

const reply = (changes: Partial<DecideReply> = {}): DecideReply => ({
  decisionId: '00000000-0000-4000-8000-000000000001',
  blueprint: bp.name,
  version: 3,
  model: 'notification_send/12',
  family: 'gbdt',
  score: 0.7,
  action: 'skip',
  propensity: 1,
  fallback: false,
  apprentice: true,
  ...changes,
});

test("decision record - logs the reply's model family and the model's own action beside the caller's", () => {
  // Apprentice mode answered the caller's skip; the model's threshold on 0.7 chose send.
  const { latencyUs, ...record } = decisionRecord(context, reply(), {
    deadlineMet: true,
    apprenticeAction: 'skip',
    modelAction: 'send',
  });
  assert.ok(latencyUs >= 0);
  assert.deepEqual(record, {
    decisionId: '00000000-0000-4000-8000-000000000001',
    blueprint: 'notification_send',
    blueprintVersion: 3,
    entity: 'user-7',
    ts: 1_767_225_600_000,
    modelVersion: 'notification_send/12',
    modelFamily: 'gbdt',
    score: 0.7,
    scores: null,
    action: 'skip',
    ranking: null,
    propensity: 1,
    fallback: false,
    fallbackReason: null,
    deadlineMs: 20,
    deadlineMet: true,
    features: { hour: 20 },
    candidates: null,
    experiment: null,
    experimentArm: null,
    shadow: null,
    apprenticeAction: 'skip',
    modelAction: 'send',
  });
});

test('decision record - without a model, neither a family nor a model action is logged', () => {
  const record = decisionRecord(
    context,
    reply({ model: null, family: null, score: null, fallback: true, fallbackReason: 'no_model' }),
    { deadlineMet: true },
  );
  assert.deepEqual(
    [record.modelVersion, record.modelFamily, record.modelAction, record.apprenticeAction, record.fallbackReason],
    [null, null, null, null, 'no_model'],
  );
});
