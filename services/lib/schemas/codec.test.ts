import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { AvroDecodeError, AvroEncodeError, avroType, decodeAvro, encodeAvro } from './codec.js';
import { LooperError } from '../errors.js';
import type { Decision, Outcome } from './generated.js';

const outcome: Outcome = {
  decisionId: '3f2b8c1e-9d4a-4e7b-a1c2-5e6f7a8b9c0d',
  value: 1,
  ts: 1767225648500,
  candidateId: null,
};

/** The golden fixture of the newest version of `name`, the version the codec writes and reads. */
function golden(name: string): { json: unknown; hex: string } {
  const dir = new URL(`../../../schemas/${name}/fixtures/`, import.meta.url);
  const newest = Math.max(
    ...readdirSync(dir)
      .map((file) => /^v(\d+)\.json$/.exec(file)?.[1])
      .filter((v) => v !== undefined)
      .map(Number),
  );
  return {
    json: JSON.parse(readFileSync(new URL(`v${newest}.json`, dir), 'utf8')),
    hex: readFileSync(new URL(`v${newest}.hex`, dir), 'utf8').trim(),
  };
}

describe('codec', () => {
  it('codec - round-trips a value to a plain object that deep-equals the original', () => {
    const decoded = decodeAvro<Outcome>('Outcome', encodeAvro('Outcome', outcome));
    assert.deepEqual(decoded, outcome);
    assert.equal(Object.getPrototypeOf(decoded), Object.prototype);
  });

  it('codec - decodes nested records as plain objects too', () => {
    const { json, hex } = golden('Decision');
    const decoded = decodeAvro<Decision>('Decision', Buffer.from(hex, 'hex'));
    assert.deepEqual(decoded, json);
    assert.equal(Object.getPrototypeOf(decoded.shadow?.[0]), Object.prototype);
  });

  it('codec - encodes the newest Outcome schema as its golden fixture', () => {
    const { json, hex } = golden('Outcome');
    assert.equal(encodeAvro('Outcome', json).toString('hex'), hex);
  });

  it('codec - fills fields that have a default when the value leaves them out', () => {
    const { candidateId: _omitted, ...withoutCandidate } = outcome;
    assert.deepEqual(decodeAvro('Outcome', encodeAvro('Outcome', withoutCandidate)), outcome);
  });

  it('codec - refuses a value that does not match its schema, naming each bad field', () => {
    assert.throws(
      () => encodeAvro('Outcome', { ...outcome, value: 'abc', ts: undefined }),
      (error: unknown) => {
        assert.ok(error instanceof AvroEncodeError);
        assert.ok(error instanceof LooperError);
        assert.equal(error.code, 'avro_encode');
        assert.equal(error.retriable, false);
        assert.deepEqual(error.problems, [
          'Outcome.value: expected double, got string "abc"',
          'Outcome.ts: expected long, got nothing',
        ]);
        assert.equal(
          error.message,
          'cannot encode Outcome: Outcome.value: expected double, got string "abc"; Outcome.ts: expected long, got nothing',
        );
        return true;
      },
    );
  });

  it('codec - refuses truncated bytes with a decode error', () => {
    const bytes = encodeAvro('Outcome', outcome);
    assert.throws(
      () => decodeAvro('Outcome', bytes.subarray(0, bytes.length - 3)),
      (error: unknown) => {
        assert.ok(error instanceof AvroDecodeError);
        assert.equal(error.code, 'avro_decode');
        assert.equal(error.schema, 'Outcome');
        assert.match(error.message, /^cannot decode Outcome: truncated buffer/);
        return true;
      },
    );
  });

  it('codec - refuses trailing bytes with a decode error', () => {
    const bytes = Buffer.concat([encodeAvro('Outcome', outcome), Buffer.from([0])]);
    assert.throws(() => decodeAvro('Outcome', bytes), AvroDecodeError);
  });

  it('codec - builds each schema type once', () => {
    assert.equal(avroType('Decision'), avroType('Decision'));
  });
});
