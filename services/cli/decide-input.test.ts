import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../lib/errors.js';
import { decideRequest, parseDecideContext, parseOutcomeValue } from './decide-input.js';

/** Asserts that `run` throws a UsageError with exactly this code and message. */
function refuses(run: () => unknown, code: string, message: string): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof UsageError, `a UsageError, not ${String(error)}`);
    assert.equal(error.code, code);
    assert.equal(error.message, message);
    return true;
  });
}

describe('decide input', () => {
  it('decide input - reads key=value words as JSON when they are JSON and as text otherwise', () => {
    assert.deepEqual(
      parseDecideContext(['hour=9', 'platform=ios', 'premium=true', 'ratio=0.5', 'zip="01234"', 'note=a=b']),
      {
        hour: 9,
        platform: 'ios',
        premium: true,
        ratio: 0.5,
        zip: '01234',
        note: 'a=b',
      },
    );
    assert.deepEqual(parseDecideContext(['empty=']), { empty: '' });
    assert.deepEqual(parseDecideContext([]), {});
  });

  it('decide input - merges JSON objects and key=value words, in order', () => {
    assert.deepEqual(parseDecideContext(['{"hour": 9, "platform": "ios"}', 'country=DE']), {
      hour: 9,
      platform: 'ios',
      country: 'DE',
    });
  });

  it('decide input - refuses a word that is neither, malformed JSON, a key given twice and an infinite number', () => {
    refuses(
      () => parseDecideContext(['hour']),
      'bad_context',
      `--context: "hour" is neither key=value nor a JSON object; write hour=9 platform=ios or '{"hour": 9, "platform": "ios"}'`,
    );
    refuses(
      () => parseDecideContext(['=9']),
      'bad_context',
      `--context: "=9" is neither key=value nor a JSON object; write hour=9 platform=ios or '{"hour": 9, "platform": "ios"}'`,
    );
    refuses(
      () => parseDecideContext(['{"hour": 9']),
      'bad_context',
      `--context: {"hour": 9 is not JSON (Expected ',' or '}' after property value in JSON at position 10); write an object like '{"hour": 9, "platform": "ios"}'`,
    );
    refuses(
      () => parseDecideContext(['{"hour": 9} ', '[1]']),
      'bad_context',
      `--context: "[1]" is neither key=value nor a JSON object; write hour=9 platform=ios or '{"hour": 9, "platform": "ios"}'`,
    );
    refuses(
      () => parseDecideContext(['{"hour": 9}', 'hour=10']),
      'bad_context',
      '--context: hour is given twice (9, then hour=10): give each feature once',
    );
    refuses(
      () => parseDecideContext(['amount=1e400']),
      'bad_context',
      '--context: amount=1e400 is not a finite number',
    );
  });

  it('decide input - an outcome value is a finite number, negative and decimal included', () => {
    assert.equal(parseOutcomeValue('1'), 1);
    assert.equal(parseOutcomeValue('-2.5'), -2.5);
    assert.equal(parseOutcomeValue('0'), 0);
    for (const word of ['abc', '', ' ', 'Infinity', '1e400', 'NaN'])
      refuses(
        () => parseOutcomeValue(word),
        'bad_value',
        `value "${word}" is not a finite number: write the outcome as a number, e.g. 1 for a click or 12.5 for an amount`,
      );
  });

  it('decide input - the request carries the entity, the --context words then the positional ones, and the deadline in ms', () => {
    assert.deepEqual(decideRequest('user-0042', ['platform=ios'], { context: ['{"hour": 20}'], deadline: '50ms' }), {
      entity: 'user-0042',
      context: { hour: 20, platform: 'ios' },
      deadlineMs: 50,
    });
    assert.deepEqual(decideRequest('user-0042', [], {}), { entity: 'user-0042', context: {} });
    refuses(
      () => decideRequest('user-0042', [], { deadline: 'soon' }),
      'bad_usage',
      '--deadline: "soon" is not a duration like 1h, e.g. 50ms',
    );
    refuses(
      () => decideRequest('user-0042', [], { deadline: '0ms' }),
      'bad_usage',
      '--deadline: "0ms" is not a positive duration, e.g. 50ms',
    );
  });
});
