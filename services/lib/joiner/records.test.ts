import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { JoinerStateError } from './errors.js';
import { pendingOf } from './join.js';
import {
  decodeDone,
  decodeEarlyOutcome,
  decodePending,
  encodeDone,
  encodeEarlyOutcome,
  encodePending,
} from './records.js';
import { decision, opensLabel, outcomesLabel, T0, WINDOW } from './test-records.js';

describe('joiner records', () => {
  it('joiner records - a pending decision round-trips through its bytes exactly', () => {
    const pending = pendingOf(decision(), outcomesLabel());
    assert.deepEqual(decodePending(encodePending(pending)), pending);
    assert.equal(pending.closesAt, T0 + WINDOW);
    assert.deepEqual(pending.label, {
      topic: null,
      match: 'decisionId',
      windowMs: WINDOW,
      valueConstant: 1,
      valueField: null,
      missing: 0,
      classes: false,
    });
    assert.deepEqual(pending.decision.shadowScores, { 'notification_send/13': 0.5 });
  });

  it('joiner records - keeps feature values JSON cannot carry (NaN, Infinity, -0)', () => {
    const features = {
      a: Number.NaN,
      b: Number.POSITIVE_INFINITY,
      c: Number.NEGATIVE_INFINITY,
      d: -0,
      e: [1, -0, null],
      f: null,
      g: '~n',
    };
    const pending = pendingOf(
      decision({ features, shadow: null }),
      opensLabel({ valueConstant: null, valueField: 'amount', missing: null }),
    );
    const back = decodePending(encodePending(pending));
    assert.deepEqual(back, pending);
    assert.ok(Object.is(back.decision.features.d, -0));
    assert.equal(back.decision.shadowScores, null);
  });

  it('joiner records - stores a pending decision compactly, without field names', () => {
    const bytes = encodePending(pendingOf(decision(), outcomesLabel()));
    assert.ok(bytes.length < 360, `${bytes.length} bytes`);
    assert.ok(bytes.length < JSON.stringify(decision()).length / 2);
    assert.ok(!bytes.toString('utf8').includes('blueprintVersion'));
  });

  it('joiner records - done markers and early outcomes round-trip', () => {
    assert.deepEqual(decodeDone(encodeDone({ forgetAt: 123 })), { forgetAt: 123 });
    const early = { decisionId: 'd1', ts: T0, topic: null, fields: { value: 1, candidateId: null }, forgetAt: T0 + 5 };
    assert.deepEqual(decodeEarlyOutcome(encodeEarlyOutcome(early)), early);
  });

  it('joiner records - rejects bytes it did not write with JoinerStateError naming the problem', () => {
    const bad = (text: string) => () => decodePending(Buffer.from(text));
    assert.throws(bad('not json'), {
      name: 'JoinerStateError',
      code: 'corrupt_joiner_state',
      message: 'stored pending record: is not JSON',
    });
    assert.throws(bad('[2]'), { message: 'stored pending record: has version 2; this joiner reads version 1' });
    assert.throws(bad('[1,"x"]'), { message: 'stored pending record: has 1 fields, expected 20 to 23' });
    const good = JSON.parse(encodePending(pendingOf(decision(), outcomesLabel())).toString()) as unknown[];
    good[5] = '12';
    assert.throws(
      bad(JSON.stringify(good)),
      (e: unknown) =>
        e instanceof JoinerStateError && e.message === 'stored pending record: ts: expected a number, got "12"',
    );
    good[5] = T0;
    good[6] = { a: { nested: true } };
    assert.throws(bad(JSON.stringify(good)), {
      message: 'stored pending record: features: expected feature values, got {"a":{"nested":true}}',
    });
  });
});
