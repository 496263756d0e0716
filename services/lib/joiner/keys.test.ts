import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  closeRange,
  entityRange,
  forgetRange,
  timerOf,
  joinerKeys,
  parseCloseKey,
  parseEntityKey,
  parseForgetKey,
  stateKeys,
  timeKey,
} from './keys.js';

const inRange = (key: string, r: { gte: string; lt: string }) => key >= r.gte && key < r.lt;

describe('joiner keys', () => {
  it('joiner keys - lays out state, index and timer keys as documented', () => {
    assert.deepEqual(stateKeys('d-1'), { pending: 'p/d-1', done: 'd/d-1', earlyOutcome: 'o/d-1' });
    assert.equal(joinerKeys.close(1_750_000_000_000, 'd-1'), 'c/001750000000000/d-1');
    assert.equal(joinerKeys.entity('app.opens', 'user/7', 'd-1'), 'e/app.opens/user%2F7/d-1');
    assert.equal(joinerKeys.forget(5, 'done', 'd-1'), 'f/000000000000005/d/d-1');
    assert.equal(joinerKeys.forget(5, 'early', 'd-1'), 'f/000000000000005/o/d-1');
  });

  it('joiner keys - time keys sort in time order', () => {
    const times = [0, 9, 10, 99_999, 1_750_000_000_000, 999_999_999_999_999];
    const keys = times.map((t) => joinerKeys.close(t, 'x'));
    assert.deepEqual([...keys].sort(), keys);
  });

  it('joiner keys - a close scan at now finds timers due at or before now, not after', () => {
    const r = closeRange(1000);
    assert.ok(inRange(joinerKeys.close(0, 'a'), r));
    assert.ok(inRange(joinerKeys.close(1000, 'a'), r));
    assert.ok(!inRange(joinerKeys.close(1001, 'a'), r));
    assert.ok(!inRange(joinerKeys.pending('a'), r));
    assert.ok(inRange(joinerKeys.forget(1000, 'early', 'a'), forgetRange(1000)));
    assert.ok(!inRange(joinerKeys.forget(1001, 'done', 'a'), forgetRange(1000)));
  });

  it('joiner keys - a scan from a floor finds the timers from it on, and timerOf reads a timer key back', () => {
    assert.ok(!inRange(joinerKeys.close(499, 'a'), closeRange(1000, 500)));
    assert.ok(inRange(joinerKeys.close(500, 'a'), closeRange(1000, 500)));
    assert.ok(!inRange(joinerKeys.forget(499, 'done', 'a'), forgetRange(1000, 500)));
    assert.ok(inRange(joinerKeys.forget(500, 'event', 'v/x'), forgetRange(1000, 500)));
    assert.deepEqual(timerOf(joinerKeys.close(1_750_000_000_123, 'a/b')), { kind: 'close', at: 1_750_000_000_123 });
    assert.deepEqual(timerOf(joinerKeys.forget(42, 'early', 'a')), { kind: 'forget', at: 42 });
    assert.equal(timerOf(joinerKeys.pending('a')), null);
  });

  it('joiner keys - an entity scan finds only that entity, whatever its name holds', () => {
    const r = entityRange('app.opens', 'u1');
    assert.ok(inRange(joinerKeys.entity('app.opens', 'u1', 'd'), r));
    assert.ok(!inRange(joinerKeys.entity('app.opens', 'u10', 'd'), r));
    assert.ok(!inRange(joinerKeys.entity('app.opens', 'u1/x', 'd'), r));
    assert.ok(!inRange(joinerKeys.entity('app.opensx', 'u1', 'd'), r));
  });

  it('joiner keys - parses the keys it builds', () => {
    assert.deepEqual(parseCloseKey(joinerKeys.close(42, 'a/b')), { closesAt: 42, decisionId: 'a/b' });
    assert.deepEqual(parseEntityKey(joinerKeys.entity('t', 'ü/1', 'd')), {
      topic: 't',
      entity: 'ü/1',
      decisionId: 'd',
    });
    assert.deepEqual(parseForgetKey(joinerKeys.forget(7, 'early', 'd')), {
      forgetAt: 7,
      kind: 'early',
      decisionId: 'd',
    });
    assert.throws(() => parseForgetKey('c/000000000000007/d'), {
      name: 'JoinerStateError',
      message: 'stored key: "c/000000000000007/d" is not a f/ key',
    });
  });

  it('joiner keys - refuses times that are not whole epoch milliseconds', () => {
    assert.throws(() => timeKey(-1), { name: 'JoinerInputError', code: 'invalid_now' });
    assert.throws(() => timeKey(1.5), { name: 'JoinerInputError' });
    assert.throws(() => timeKey(1e15), { name: 'JoinerInputError' });
  });
});
