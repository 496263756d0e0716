import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_BATCH_OUTCOMES,
  MAX_OUTCOME_REQUEST_BYTES,
  parseOutcomeBatch,
  parseOutcomeRequest,
  readOutcome,
} from './request.js';
import { batchReply } from './reply.js';

const ID = '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed';
const NOW = 1_700_000_000_000;
const bytes = (body: unknown) => new TextEncoder().encode(typeof body === 'string' ? body : JSON.stringify(body));
const parse = (body: unknown) => parseOutcomeRequest(bytes(body), NOW);

describe('outcome request', () => {
  it('outcome request - reads an outcome, ts defaulting to now and candidateId to null, other fields ignored', () => {
    assert.deepEqual(parse({ decisionId: ID, value: 1 }), {
      ok: true,
      outcome: { decisionId: ID, value: 1, ts: NOW, candidateId: null },
    });
    assert.deepEqual(parse({ decisionId: ID, value: -2.5, ts: 1_600_000_000_000, candidateId: 'item-7', note: 'x' }), {
      ok: true,
      outcome: { decisionId: ID, value: -2.5, ts: 1_600_000_000_000, candidateId: 'item-7' },
    });
    assert.deepEqual(parse({ decisionId: ID, value: 0, ts: null, candidateId: null }), {
      ok: true,
      outcome: { decisionId: ID, value: 0, ts: NOW, candidateId: null },
    });
  });

  it('outcome request - refuses a body that is not a JSON object as bad_request, saying what to send', () => {
    assert.deepEqual(parse('{"decisionId": '), {
      ok: false,
      error: {
        code: 'bad_request',
        message: `the request is not JSON (Unexpected end of JSON input); send {"decisionId": "...", "value": 1}`,
      },
    });
    assert.deepEqual(parse([1]), {
      ok: false,
      error: {
        code: 'bad_request',
        message: 'an outcome must be a JSON object like {"decisionId": "...", "value": 1}, not [1]',
      },
    });
    const big = parseOutcomeRequest(new Uint8Array(MAX_OUTCOME_REQUEST_BYTES + 1), NOW);
    assert.deepEqual(big, {
      ok: false,
      error: {
        code: 'bad_request',
        message: `the request is 65537 bytes, over the 65536-byte limit; send {"decisionId": "...", "value": 1}`,
      },
    });
  });

  it('outcome request - refuses a missing or malformed decision id as bad_request: only what decide mints can join', () => {
    assert.deepEqual(parse({ value: 1 }), {
      ok: false,
      error: {
        code: 'bad_request',
        message: 'decisionId is missing: send the decisionId of the decide reply the outcome is about',
      },
    });
    assert.deepEqual(parse({ decisionId: 42, value: 1 }), {
      ok: false,
      error: { code: 'bad_request', message: "decisionId must be a string (the decide reply's decisionId), not 42" },
    });
    for (const id of ['abc', ID.toUpperCase(), `${ID}0`, ID.replaceAll('-', '')])
      assert.deepEqual(parse({ decisionId: id, value: 1 }), {
        ok: false,
        error: {
          code: 'bad_request',
          message: `decisionId "${id}" is not a decision id: decide replies carry a lowercase UUID such as "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed"; send it unchanged`,
        },
      });
  });

  it('outcome request - refuses a missing, non-numeric or non-finite value as bad_value', () => {
    const refusal = (value: unknown) => readOutcome({ decisionId: ID, value }, NOW);
    assert.deepEqual(refusal(undefined), {
      ok: false,
      error: { code: 'bad_value', message: 'value is missing: send a number, e.g. 1 for a click' },
    });
    assert.deepEqual(refusal('1'), {
      ok: false,
      error: { code: 'bad_value', message: 'value must be a number, not "1"' },
    });
    assert.deepEqual(refusal(Number.NaN), {
      ok: false,
      error: { code: 'bad_value', message: 'value NaN is not a finite number' },
    });
    // JSON has no Infinity, but 1e400 parses to it.
    assert.deepEqual(parse('{"decisionId": "' + ID + '", "value": 1e400}'), {
      ok: false,
      error: { code: 'bad_value', message: 'value Infinity is not a finite number' },
    });
  });

  it('outcome request - refuses a ts that is not whole epoch milliseconds and a bad candidateId as bad_request', () => {
    assert.deepEqual(parse({ decisionId: ID, value: 1, ts: 1.5 }), {
      ok: false,
      error: {
        code: 'bad_request',
        message:
          'ts must be whole epoch milliseconds between 0 and 999999999999999 (when the outcome happened; leave it out for now), not 1.5',
      },
    });
    assert.equal(readOutcome({ decisionId: ID, value: 1, ts: '2024-01-01' }, NOW).ok, false);
    assert.equal(readOutcome({ decisionId: ID, value: 1, ts: -1 }, NOW).ok, false);
    assert.deepEqual(parse({ decisionId: ID, value: 1, candidateId: 7 }), {
      ok: false,
      error: {
        code: 'bad_request',
        message:
          'candidateId must be the id of the ranked candidate the outcome is about (a string of 1 to 256 characters) or null, not 7',
      },
    });
    assert.equal(readOutcome({ decisionId: ID, value: 1, candidateId: '' }, NOW).ok, false);
  });
});

describe('outcome request on hostile input', () => {
  it("outcome request - NaN and Infinity in the text are not JSON: bad_request with the parser's message", () => {
    assert.deepEqual(parse(`{"decisionId": "${ID}", "value": NaN}`), {
      ok: false,
      error: {
        code: 'bad_request',
        message: `the request is not JSON (Unexpected token 'N', ..." "value": NaN}" is not valid JSON); send {"decisionId": "...", "value": 1}`,
      },
    });
    assert.deepEqual(parse(`{"decisionId": "${ID}", "value": Infinity}`).ok, false);
  });

  it('outcome request - a 1 MB body is refused by its size before it is parsed', () => {
    assert.deepEqual(parseOutcomeRequest(new Uint8Array(1_000_000), NOW), {
      ok: false,
      error: {
        code: 'bad_request',
        message: `the request is 1000000 bytes, over the ${MAX_OUTCOME_REQUEST_BYTES}-byte limit; send {"decisionId": "...", "value": 1}`,
      },
    });
  });

  it('outcome request - __proto__, constructor and prototype keys are own data, never read as the fields they hold', () => {
    assert.deepEqual(parse(`{"decisionId": "${ID}", "__proto__": {"value": 1}}`), {
      ok: false,
      error: { code: 'bad_value', message: 'value is missing: send a number, e.g. 1 for a click' },
    });
    assert.deepEqual(parse('{"__proto__": {"decisionId": "' + ID + '"}, "value": 1}'), {
      ok: false,
      error: {
        code: 'bad_request',
        message: 'decisionId is missing: send the decisionId of the decide reply the outcome is about',
      },
    });
    assert.deepEqual(
      parse(
        `{"decisionId": "${ID}", "value": 1, "constructor": {"prototype": {"polluted": true}}, "prototype": {"polluted": true}, "__proto__": {"polluted": true}}`,
      ),
      { ok: true, outcome: { decisionId: ID, value: 1, ts: NOW, candidateId: null } },
    );
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });

  it('outcome request - values nested 10,000 deep or 100 KB long are shown bounded in the refusal', () => {
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    assert.deepEqual(parse(`{"decisionId": "${ID}", "value": ${deep}}`), {
      ok: false,
      error: { code: 'bad_value', message: 'value must be a number, not [[[[…]]]]' },
    });
    assert.deepEqual(parse(deep), {
      ok: false,
      error: {
        code: 'bad_request',
        message: 'an outcome must be a JSON object like {"decisionId": "...", "value": 1}, not [[[[…]]]]',
      },
    });
    assert.deepEqual(parse({ decisionId: ID, value: 'v'.repeat(60_000) }), {
      ok: false,
      error: { code: 'bad_value', message: `value must be a number, not "${'v'.repeat(79)}…` },
    });
  });
});

describe('outcome batch', () => {
  const batch = (body: unknown) => parseOutcomeBatch(bytes(body), NOW);

  it('outcome batch - checks each outcome on its own, in request order', () => {
    assert.deepEqual(batch({ outcomes: [{ decisionId: ID, value: 1 }, { decisionId: ID }, 'x'] }), {
      ok: true,
      outcomes: [
        { ok: true, outcome: { decisionId: ID, value: 1, ts: NOW, candidateId: null } },
        { ok: false, error: { code: 'bad_value', message: 'value is missing: send a number, e.g. 1 for a click' } },
        {
          ok: false,
          error: {
            code: 'bad_request',
            message: 'an outcome must be a JSON object like {"decisionId": "...", "value": 1}, not "x"',
          },
        },
      ],
    });
  });

  it('outcome batch - refuses whole only a request that is no batch: not JSON, no list, empty or too long', () => {
    const shape = '{"outcomes": [{"decisionId": "...", "value": 1}, ...]}';
    assert.deepEqual(batch('nope'), {
      ok: false,
      error: {
        code: 'bad_request',
        message: `the request is not JSON (Unexpected token 'o', "nope" is not valid JSON); send ${shape}`,
      },
    });
    assert.deepEqual(batch([{ decisionId: ID, value: 1 }]), {
      ok: false,
      error: { code: 'bad_request', message: `a batch must be a JSON object like ${shape}` },
    });
    assert.deepEqual(batch({ outcome: [] }), {
      ok: false,
      error: { code: 'bad_request', message: `outcomes is missing: send ${shape}` },
    });
    assert.deepEqual(batch({ outcomes: { decisionId: ID } }), {
      ok: false,
      error: { code: 'bad_request', message: `outcomes is not a list ({"decisionId":"${ID}"}): send ${shape}` },
    });
    assert.deepEqual(batch({ outcomes: [] }), {
      ok: false,
      error: { code: 'bad_request', message: `outcomes is empty: send ${shape}` },
    });
    const tooMany = Array.from({ length: MAX_BATCH_OUTCOMES + 1 }, () => ({ decisionId: ID, value: 1 }));
    assert.deepEqual(batch({ outcomes: tooMany }), {
      ok: false,
      error: {
        code: 'bad_request',
        message: 'the batch has 1001 outcomes, over the 1000 limit: send them in several batches',
      },
    });
  });

  it('outcome batch - the reply answers every outcome by index, ok only when all were acknowledged', () => {
    const badValue = { code: 'bad_value' as const, message: 'value is missing: send a number, e.g. 1 for a click' };
    assert.deepEqual(batchReply([null, badValue, null]), {
      ok: false,
      acknowledged: 2,
      refused: 1,
      results: [
        { index: 0, ok: true },
        { index: 1, ok: false, error: badValue },
        { index: 2, ok: true },
      ],
    });
    assert.deepEqual(batchReply([null, null]), {
      ok: true,
      acknowledged: 2,
      refused: 0,
      results: [
        { index: 0, ok: true },
        { index: 1, ok: true },
      ],
    });
  });
});
