// Reading entity, value and event time from decoded events, and the reasons given when that fails.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FeatureSpecError } from './errors.js';
import { extractEntity, extractEventTime, extractValue, type Extraction } from './event.js';
import { decodeJsonEvent } from '../events.js';

const byKey = { entityField: null };
const byField = (entityField: string) => ({ entityField });
const mean = (field: string) => ({ aggregate: 'mean' as const, field });
const last = (field: string) => ({ aggregate: 'last' as const, field });

/** The reason of a failed extraction, as `code: reason`. */
function failed<T>(result: Extraction<T>): string {
  assert.ok(!result.ok, `expected a failure, got ${JSON.stringify(result)}`);
  return `${result.code}: ${result.reason}`;
}

describe('event extraction', () => {
  it('entity - is the record key when no entity field is declared', () => {
    assert.deepEqual(extractEntity('u1', { user: 'other' }, byKey), { ok: true, value: 'u1' });
    assert.equal(
      failed(extractEntity(null, {}, byKey)),
      'no_key: the record has no key, and the entity is the record key (no entity_field is declared)',
    );
    assert.equal(
      failed(extractEntity('', {}, byKey)),
      'no_key: the record has no key, and the entity is the record key (no entity_field is declared)',
    );
  });

  it('entity - is the declared field, a non-empty string or whole number, top-level or a dotted path', () => {
    assert.deepEqual(extractEntity('key', { user_id: 'u7' }, byField('user_id')), { ok: true, value: 'u7' });
    assert.deepEqual(extractEntity(null, { user_id: 42 }, byField('user_id')), { ok: true, value: '42' });
    assert.deepEqual(extractEntity(null, { user_id: 9007199254740993n }, byField('user_id')), {
      ok: true,
      value: '9007199254740993',
    });
    assert.deepEqual(extractEntity(null, { user: { id: 'u8' } }, byField('user.id')), { ok: true, value: 'u8' });
  });

  it('entity - says which field is missing or of the wrong type', () => {
    assert.equal(
      failed(extractEntity('k', { user: 'u' }, byField('user_id'))),
      'missing_field: entity field "user_id" is missing in the event',
    );
    assert.equal(
      failed(extractEntity('k', { user_id: null }, byField('user_id'))),
      'missing_field: entity field "user_id" is null in the event',
    );
    assert.equal(
      failed(extractEntity('k', { user_id: '' }, byField('user_id'))),
      'wrong_type: entity field "user_id" is an empty string, not a non-empty string or whole number',
    );
    assert.equal(
      failed(extractEntity('k', { user_id: 1.5 }, byField('user_id'))),
      'wrong_type: entity field "user_id" is 1.5, not a non-empty string or whole number',
    );
    assert.equal(
      failed(extractEntity('k', { user_id: { id: 1 } }, byField('user_id'))),
      'wrong_type: entity field "user_id" is a record, not a non-empty string or whole number',
    );
  });

  it('value - count reads no field', () => {
    assert.deepEqual(extractValue({}, { aggregate: 'count', field: null }), { ok: true, value: null });
  });

  it('value - numeric aggregates take numbers, booleans as 1/0 and decimal strings', () => {
    assert.deepEqual(extractValue({ duration_s: 12.5 }, mean('duration_s')), { ok: true, value: 12.5 });
    assert.deepEqual(extractValue({ duration_s: true }, mean('duration_s')), { ok: true, value: 1 });
    assert.deepEqual(extractValue({ duration_s: false }, mean('duration_s')), { ok: true, value: 0 });
    assert.deepEqual(extractValue({ duration_s: '-1.5e3' }, mean('duration_s')), { ok: true, value: -1500 });
    assert.deepEqual(extractValue({ duration_s: 3n }, mean('duration_s')), { ok: true, value: 3 });
    assert.deepEqual(extractValue({ session: { duration_s: 4 } }, mean('session.duration_s')), { ok: true, value: 4 });
  });

  it('value - says what is wrong with a field a numeric aggregate cannot use', () => {
    assert.equal(
      failed(extractValue({ duration: 3 }, mean('duration_s'))),
      'missing_field: field "duration_s" is missing in the event',
    );
    assert.equal(
      failed(extractValue({ duration_s: null }, mean('duration_s'))),
      'missing_field: field "duration_s" is null in the event',
    );
    assert.equal(
      failed(extractValue({ duration_s: 'abc' }, mean('duration_s'))),
      'wrong_type: field "duration_s" is "abc", not a number',
    );
    assert.equal(
      failed(extractValue({ duration_s: ' 12' }, mean('duration_s'))),
      'wrong_type: field "duration_s" is " 12", not a number',
    );
    assert.equal(
      failed(extractValue({ duration_s: 'Infinity' }, mean('duration_s'))),
      'wrong_type: field "duration_s" is "Infinity", not a number',
    );
    assert.equal(
      failed(extractValue({ duration_s: Number.NaN }, mean('duration_s'))),
      'wrong_type: field "duration_s" is NaN, not a finite number',
    );
    assert.equal(
      failed(extractValue({ duration_s: [1] }, mean('duration_s'))),
      'wrong_type: field "duration_s" is an array, not a number',
    );
    assert.equal(
      failed(extractValue({ duration_s: 'a very long text that goes on and on and on' }, mean('duration_s'))),
      'wrong_type: field "duration_s" is "a very long text that goes on and on ...", not a number',
    );
  });

  it('value - last, last_n and distinct take strings and numbers as they are', () => {
    assert.deepEqual(extractValue({ country: 'fr' }, last('country')), { ok: true, value: 'fr' });
    assert.deepEqual(extractValue({ country: '12' }, last('country')), { ok: true, value: '12' });
    assert.deepEqual(extractValue({ item: 7 }, { aggregate: 'last_n', field: 'item' }), { ok: true, value: 7 });
    assert.deepEqual(extractValue({ ok: true }, { aggregate: 'distinct', field: 'ok' }), { ok: true, value: 1 });
    assert.equal(
      failed(extractValue({ country: { code: 'fr' } }, last('country'))),
      'wrong_type: field "country" is a record, not a string or number',
    );
    assert.equal(
      failed(extractValue({ country: new Uint8Array(2) }, last('country'))),
      'wrong_type: field "country" is bytes, not a string or number',
    );
  });

  it('value and entity - text longer than Looper keeps is refused, saying how long and the limit', () => {
    assert.deepEqual(extractValue({ page: 'p'.repeat(1024) }, last('page')), { ok: true, value: 'p'.repeat(1024) });
    assert.equal(
      failed(extractValue({ page: 'p'.repeat(1025) }, last('page'))),
      'too_long: field "page" is 1025 characters, over the 1024-character limit of a text value',
    );
    assert.equal(
      failed(extractEntity('u'.repeat(257), {}, byKey)),
      'too_long: the record key is 257 characters, over the 256-character limit of an entity id',
    );
    assert.equal(
      failed(extractEntity(null, { user: 'u'.repeat(300) }, byField('user'))),
      'too_long: entity field "user" is 300 characters, over the 256-character limit of an entity id',
    );
    assert.deepEqual(
      extractValue({ amount: `0.${'1'.repeat(1500)}` }, mean('amount')).ok,
      true,
      'a numeric aggregate reads the digits as a number, not as text',
    );
  });

  it('fields - a top-level key with a dot wins over the path; the path says where it broke', () => {
    assert.deepEqual(extractValue({ 'a.b': 1, a: { b: 2 } }, mean('a.b')), { ok: true, value: 1 });
    assert.equal(
      failed(extractValue({ a: 3 }, mean('a.b.c'))),
      'missing_field: field "a.b.c" is missing in the event: "a" is 3, not a record',
    );
    assert.equal(
      failed(extractValue({ a: { b: null } }, mean('a.b.c'))),
      'missing_field: field "a.b.c" is missing in the event: "a.b" is null, not a record',
    );
    assert.equal(failed(extractValue({ a: {} }, mean('a.b'))), 'missing_field: field "a.b" is missing in the event');
  });

  it("fields - only the event's own keys count, never inherited ones", () => {
    assert.equal(
      failed(extractValue({}, last('constructor'))),
      'missing_field: field "constructor" is missing in the event',
    );
    assert.equal(failed(extractValue({}, last('toString'))), 'missing_field: field "toString" is missing in the event');
    assert.equal(
      failed(extractEntity(null, {}, byField('__proto__'))),
      'missing_field: entity field "__proto__" is missing in the event',
    );
  });

  it('fields - a JSON event with __proto__, constructor and prototype keys or a 10,000-deep value changes no prototype and is refused by kind', () => {
    const decoded = decodeJsonEvent(
      Buffer.from(
        '{"__proto__": {"amount": 5, "polluted": true}, "constructor": {"prototype": {"polluted": true}}, "prototype": {"amount": 6}, "ts": 1}',
      ),
    );
    assert.ok(decoded.ok);
    assert.equal(Object.getPrototypeOf(decoded.value), Object.prototype);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    assert.equal(
      failed(extractValue(decoded.value, mean('amount'))),
      'missing_field: field "amount" is missing in the event',
    );
    const deep = decodeJsonEvent(Buffer.from(`{"amount": ${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}, "ts": 1}`));
    assert.ok(deep.ok);
    assert.equal(
      failed(extractValue(deep.value, mean('amount'))),
      'wrong_type: field "amount" is a record, not a number',
    );
    assert.equal(
      failed(extractEntity('k'.repeat(100 * 1024), deep.value, byKey)),
      'too_long: the record key is 102400 characters, over the 256-character limit of an entity id',
    );
  });

  it('fields - an event that is not a record says what it is', () => {
    assert.equal(
      failed(extractValue(3, mean('x'))),
      'missing_field: field "x" is missing in the event: the event is 3, not a record',
    );
    assert.equal(
      failed(extractValue([1], mean('x'))),
      'missing_field: field "x" is missing in the event: the event is an array, not a record',
    );
  });

  it('value - a spec other than count without a field is a programming error', () => {
    assert.throws(() => extractValue({}, { aggregate: 'sum', field: null }), FeatureSpecError);
  });

  it("time - is the event's ts in epoch ms, sub-milliseconds dropped", () => {
    assert.deepEqual(extractEventTime({ ts: 1_700_000_000_123 }, 5), { ok: true, value: 1_700_000_000_123 });
    assert.deepEqual(extractEventTime({ ts: 1_700_000_000_123.9 }, 5), { ok: true, value: 1_700_000_000_123 });
    assert.deepEqual(extractEventTime({ ts: '1700000000123' }, 5), { ok: true, value: 1_700_000_000_123 });
    assert.deepEqual(extractEventTime({ ts: 1_700_000_000_123n }, 5), { ok: true, value: 1_700_000_000_123 });
    assert.deepEqual(extractEventTime({ ts: new Date(1_700_000_000_123) }, 5), { ok: true, value: 1_700_000_000_123 });
  });

  it('time - reads an ISO-8601 ts with Z or an offset', () => {
    assert.deepEqual(extractEventTime({ ts: '2023-11-14T22:13:20.123Z' }, 5), { ok: true, value: 1_700_000_000_123 });
    assert.deepEqual(extractEventTime({ ts: '2023-11-15T00:13:20.123+02:00' }, 5), {
      ok: true,
      value: 1_700_000_000_123,
    });
    assert.deepEqual(extractEventTime({ ts: '2023-11-14T22:13Z' }, 5), { ok: true, value: 1_699_999_980_000 });
  });

  it('time - refuses a ts it cannot read rather than falling back to the record time', () => {
    const reason = (ts: string) =>
      `bad_time: field "ts" is ${ts}, not epoch milliseconds or an ISO-8601 time with a zone (e.g. 2024-05-01T12:00:00Z)`;
    assert.equal(
      failed(extractEventTime({ ts: '2023-11-14T22:13:20' }, 5)),
      reason('"2023-11-14T22:13:20"'),
      'no zone: local time is not portable',
    );
    assert.equal(failed(extractEventTime({ ts: 'yesterday' }, 5)), reason('"yesterday"'));
    assert.equal(failed(extractEventTime({ ts: true }, 5)), reason('true'));
    assert.equal(failed(extractEventTime({ ts: Number.NaN }, 5)), reason('NaN'));
    assert.equal(failed(extractEventTime({ ts: 1e300 }, 5)), reason('1e+300'));
    assert.equal(failed(extractEventTime({ ts: '2023-13-45T99:00Z' }, 5)), reason('"2023-13-45T99:00Z"'));
  });

  it("time - without a ts (or with ts null) is the record timestamp, also as kafkajs's string", () => {
    assert.deepEqual(extractEventTime({}, 1_700_000_000_000), { ok: true, value: 1_700_000_000_000 });
    assert.deepEqual(extractEventTime({ ts: null }, '1700000000000'), { ok: true, value: 1_700_000_000_000 });
    assert.deepEqual(extractEventTime('not a record', 0), { ok: true, value: 0 });
    assert.equal(
      failed(extractEventTime({}, null)),
      'bad_time: the event has no "ts" field and the record timestamp is absent',
    );
    assert.equal(
      failed(extractEventTime({}, '-1')),
      'bad_time: the event has no "ts" field and the record timestamp is "-1"',
    );
  });
});
