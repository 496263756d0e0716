import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseDecideRequest } from './request.js';
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
        deadlineMs: 20,
        currentAction: null,
        candidates: null,
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
});
