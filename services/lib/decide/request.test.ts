import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { MAX_REQUEST_BYTES, parseDecideRequest } from './request.js';
import { parseBlueprintYaml } from '../blueprint/parse.js';

const compiled = parseBlueprintYaml(
  readFileSync(new URL('../../../examples/notification_send.yaml', import.meta.url), 'utf8'),
);
if (!compiled.ok) throw new Error('example blueprint does not compile');
const bp = compiled.blueprint;
const decoder = new TextDecoder();
const parse = (body: unknown) =>
  parseDecideRequest(new TextEncoder().encode(typeof body === 'string' ? body : JSON.stringify(body)), bp, decoder);

describe('decide request', () => {
  it('decide request - keeps the declared context, fills missing ones with null and drops the rest', () => {
    assert.deepEqual(parse({ entity: 'u1', context: { hour: 9, platform: 'ios', extra: 1 } }), {
      ok: true,
      request: {
        entity: 'u1',
        context: { hour: 9, platform: 'ios' },
        missing: [],
        deadlineMs: 20,
        currentAction: null,
        candidates: null,
      },
    });
    assert.deepEqual(parse({ entity: 'u1' }), {
      ok: true,
      request: {
        entity: 'u1',
        context: { hour: null, platform: null },
        missing: ['hour', 'platform'],
        deadlineMs: 20,
        currentAction: null,
        candidates: null,
      },
    });
  });

  it('decide request - names the declared context features left out or sent as null, in declaration order', () => {
    const sent = parse({ entity: 'u1', context: { platform: null, hour: 3 } });
    assert.ok(sent.ok);
    assert.deepEqual(sent.request.missing, ['platform']);
    assert.deepEqual(sent.request.context, { hour: 3, platform: null });
  });

  it('decide request - a cyclic value must lie in [0, period): the edges pass, anything else is refused with what, where and why', () => {
    const hourOf = (hour: number) => {
      const parsed = parse({ entity: 'u1', context: { hour } });
      return parsed.ok ? parsed.request.context['hour'] : parsed.error;
    };
    assert.equal(hourOf(0), 0);
    assert.equal(hourOf(23), 23);
    const refusal = (shown: string) => ({
      code: 'bad_context',
      message: `context.hour: ${shown} is outside [0, 24): the blueprint declares hour cyclic with period 24, and models read it on a circle where 24 is 0 again; send a value from 0 up to, not including, 24`,
    });
    assert.deepEqual(hourOf(24), refusal('24'));
    assert.deepEqual(hourOf(-1), refusal('-1'));
    assert.deepEqual(hourOf(1_750_000_000_000), refusal('1750000000000'));
  });

  it('decide request - a cyclic float is held to its period too, a number without a period to nothing', () => {
    const yaml = readFileSync(new URL('../../../examples/notification_send.yaml', import.meta.url), 'utf8').replace(
      /^ {4}- name: platform\n {6}type: category\n {6}values: \[ios, android, web\].*\n/m,
      '    - { name: weekday, type: float, period: 7 }\n    - { name: temperature, type: float }\n',
    );
    const other = parseBlueprintYaml(yaml);
    assert.ok(other.ok, other.ok ? '' : JSON.stringify(other.problems));
    const parseOther = (context: unknown) =>
      parseDecideRequest(new TextEncoder().encode(JSON.stringify({ entity: 'u1', context })), other.blueprint, decoder);
    const fine = parseOther({ hour: 5, weekday: 6.99, temperature: -40 });
    assert.ok(fine.ok);
    assert.deepEqual(fine.request.context, { hour: 5, weekday: 6.99, temperature: -40 });
    assert.deepEqual(parseOther({ weekday: 7 }), {
      ok: false,
      error: {
        code: 'bad_context',
        message:
          'context.weekday: 7 is outside [0, 7): the blueprint declares weekday cyclic with period 7, and models read it on a circle where 7 is 0 again; send a value from 0 up to, not including, 7',
      },
    });
  });

  it("decide request - the caller's current action (apprentice mode) must be one of the blueprint's actions", () => {
    const given = parse({ entity: 'u1', currentAction: 'send' });
    assert.ok(given.ok);
    assert.equal(given.request.currentAction, 'send');
    assert.deepEqual(parse({ entity: 'u1', currentAction: 'email' }), {
      ok: false,
      error: {
        code: 'bad_request',
        message: 'currentAction "email" is not one of notification_send\'s actions: send, skip',
      },
    });
    assert.deepEqual(parse({ entity: 'u1', currentAction: 1 }), {
      ok: false,
      error: { code: 'bad_request', message: "currentAction 1 is not one of notification_send's actions: send, skip" },
    });
  });

  it('decide request - a caller deadline can shorten but never lengthen the blueprint deadline', () => {
    const short = parse({ entity: 'u1', deadlineMs: 5 });
    const long = parse({ entity: 'u1', deadlineMs: 500 });
    assert.ok(short.ok && long.ok);
    assert.equal(short.request.deadlineMs, 5);
    assert.equal(long.request.deadlineMs, 20);
  });

  it('decide request - refuses malformed JSON, a missing entity and a wrong context type with a precise message', () => {
    assert.deepEqual(parse('{"entity": '), {
      ok: false,
      error: {
        code: 'bad_request',
        message: `the request is not JSON (${(() => {
          try {
            JSON.parse('{"entity": ');
          } catch (e) {
            return (e as Error).message;
          }
          return '';
        })()}); send {"entity": "...", "context": {...}}`,
      },
    });
    assert.deepEqual(parse({ context: {} }), {
      ok: false,
      error: { code: 'missing_entity', message: 'entity is missing: every decide names the user it is about' },
    });
    assert.deepEqual(parse({ entity: 'u1', context: { hour: 'nine' } }), {
      ok: false,
      error: { code: 'bad_context', message: 'context.hour: "nine" is not an int' },
    });
    assert.deepEqual(parse('{"entity": "u1", "context": {"hour": 1e400}}'), {
      ok: false,
      error: { code: 'bad_context', message: 'context.hour: Infinity is not an int' },
    });
    const oversized = parse({ entity: 'u1', context: { note: 'x'.repeat(600_000) } });
    assert.deepEqual(oversized, {
      ok: false,
      error: {
        code: 'bad_request',
        message: 'the request is 600037 bytes, over the 524288-byte limit: send only the declared context',
      },
    });
  });

  it("decide request - NaN and Infinity are not JSON: bad_request with the parser's message, which points at the token", () => {
    for (const [token, message] of [
      ['NaN', `Unexpected token 'N', ..." {"hour": NaN}}" is not valid JSON`],
      ['Infinity', `Unexpected token 'I', ..." {"hour": Infinity}}" is not valid JSON`],
      ['-Infinity', 'No number after minus sign in JSON at position 38'],
    ])
      assert.deepEqual(parse(`{"entity": "u1", "context": {"hour": ${token}}}`), {
        ok: false,
        error: {
          code: 'bad_request',
          message: `the request is not JSON (${message}); send {"entity": "...", "context": {...}}`,
        },
      });
  });

  it('decide request - a context nested 10,000 deep is parsed without recursion: refused at a declared feature, ignored elsewhere', () => {
    const deep = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
    assert.deepEqual(parse(`{"entity": "u1", "context": {"hour": ${deep}}}`), {
      ok: false,
      error: { code: 'bad_context', message: 'context.hour: {"a":{"a":{"a":{…}}}} is not an int' },
    });
    assert.deepEqual(parse(`{"entity": "u1", "context": {"platform": ${'['.repeat(10_000)}${']'.repeat(10_000)}}}`), {
      ok: false,
      error: {
        code: 'bad_context',
        message: 'context.platform: [[[[…]]]] is not a string (one of ios, android, web)',
      },
    });
    assert.deepEqual(parse(`{"entity": "u1", "currentAction": ${deep}}`), {
      ok: false,
      error: {
        code: 'bad_request',
        message: 'currentAction {"a":{"a":{"a":{…}}}} is not one of notification_send\'s actions: send, skip',
      },
    });
    const ignored = parse(`{"entity": "u1", "context": {"hour": 3, "extra": ${deep}}}`);
    assert.ok(ignored.ok);
    assert.deepEqual(ignored.request.context, { hour: 3, platform: null });
  });

  it('decide request - bodies over 512 KiB, entity ids over 256 characters and category values over 1,024 are refused by their limit', () => {
    assert.deepEqual(parseDecideRequest(new Uint8Array(1_000_000), bp, decoder), {
      ok: false,
      error: {
        code: 'bad_request',
        message: `the request is 1000000 bytes, over the ${MAX_REQUEST_BYTES}-byte limit: send only the declared context`,
      },
    });
    assert.deepEqual(parse({ entity: 'e'.repeat(100 * 1024), context: {} }), {
      ok: false,
      error: {
        code: 'bad_request',
        message:
          "entity is 102400 characters, over the 256-character limit of an entity id: send the user's id, not its data",
      },
    });
    assert.ok(parse({ entity: 'e'.repeat(256) }).ok);
    assert.deepEqual(parse({ entity: 'u1', context: { platform: 'p'.repeat(1025) } }), {
      ok: false,
      error: {
        code: 'bad_context',
        message:
          'context.platform is 1025 characters, over the 1024-character limit of a category value (one of ios, android, web)',
      },
    });
    assert.deepEqual(parse({ entity: 'u1', context: { hour: 'x'.repeat(100_000) } }), {
      ok: false,
      error: { code: 'bad_context', message: `context.hour: "${'x'.repeat(79)}… is not an int` },
    });
  });

  it('decide request - a context key of 10,000 characters is not declared, so it is dropped like any other', () => {
    const parsed = parse({ entity: 'u1', context: { ['k'.repeat(10_000)]: 1, hour: 4 } });
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.request.context, { hour: 4, platform: null });
  });

  it('decide request - __proto__, constructor and prototype keys are plain own data: no prototype changes, nothing inherited', () => {
    const parsed = parse(
      '{"entity": "u1", "__proto__": {"deadlineMs": 1}, "context": {"__proto__": {"hour": 5, "polluted": true}, "constructor": {"prototype": {"polluted": true}}, "prototype": {"polluted": true}, "platform": "ios"}}',
    );
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.request.context, { hour: null, platform: 'ios' });
    assert.equal(parsed.request.deadlineMs, 20, 'the deadline under __proto__ is not read');
    assert.equal(Object.getPrototypeOf(parsed.request.context), Object.prototype);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    assert.equal(({} as Record<string, unknown>)['hour'], undefined);
    assert.deepEqual(parse('{"__proto__": {"entity": "u1"}}'), {
      ok: false,
      error: { code: 'missing_entity', message: 'entity is missing: every decide names the user it is about' },
    });
  });

  it("decide request - a declared feature named like an Object.prototype member (constructor, the only one a feature name can spell) is missing when left out, not Object's", () => {
    const yaml = readFileSync(new URL('../../../examples/notification_send.yaml', import.meta.url), 'utf8').replace(
      /^ {4}- name: hour\b.*\n/m,
      '    - { name: constructor, type: int }\n    - name: hour\n',
    );
    const other = parseBlueprintYaml(yaml);
    assert.ok(other.ok, other.ok ? '' : JSON.stringify(other.problems));
    const parsed = parseDecideRequest(new TextEncoder().encode('{"entity": "u1"}'), other.blueprint, decoder);
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.error.message);
    assert.deepEqual(parsed.request.context, { constructor: null, hour: null, platform: null });
    assert.deepEqual(parsed.request.missing, ['constructor', 'hour', 'platform']);
  });
});
