import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../lib/errors.js';
import { eventKeying, parseEventLines, topicNameProblem } from './events-input.js';

const example = 'write one JSON object per line, like {"user": "u1", "type": "open"}';

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof UsageError, String(error));
    return error.message;
  }
  return assert.fail('expected a UsageError');
}

describe('events publish input', () => {
  it('events publish input - keys each event by its field, skips blank lines and keeps each line as given', () => {
    const text = '{"user": "u1", "type": "open"}\n\n  {"user": 7, "type":"close"}  \n';
    assert.deepEqual(parseEventLines(text, 'events.jsonl', { kind: 'field', field: 'user' }), [
      { line: 1, key: 'u1', value: '{"user": "u1", "type": "open"}' },
      { line: 3, key: '7', value: '{"user": 7, "type":"close"}' },
    ]);
  });

  it('events publish input - keys every event by --key', () => {
    assert.deepEqual(parseEventLines('{"a": 1}\r\n{"b": 2}', 'stdin', { kind: 'key', key: 'k' }), [
      { line: 1, key: 'k', value: '{"a": 1}' },
      { line: 2, key: 'k', value: '{"b": 2}' },
    ]);
  });

  it('events publish input - a line that is not JSON is refused with its number and the parser’s reason', () => {
    const reason = (() => {
      try {
        JSON.parse('{"user": "u2",');
      } catch (error) {
        return (error as Error).message;
      }
      return '';
    })();
    assert.equal(
      refusal(() => parseEventLines('{"user": "u1"}\n{"user": "u2",', 'e.jsonl', { kind: 'key', key: 'k' })),
      `events publish: line 2 of e.jsonl is not JSON (${reason}); ${example}`,
    );
  });

  it('events publish input - JSON that is not an object is refused with what it is', () => {
    const cases: Array<[string, string]> = [
      ['[1, 2]', 'an array'],
      ['42', 'a number'],
      ['"open"', 'a string'],
      ['null', 'null'],
      ['true', 'a boolean'],
    ];
    for (const [line, kind] of cases)
      assert.equal(
        refusal(() => parseEventLines(line, 'stdin', { kind: 'key', key: 'k' })),
        `events publish: line 1 of stdin is not a JSON object but ${kind}; ${example}`,
      );
  });

  it('events publish input - --key-field refuses an event without the field or with one that cannot be a key', () => {
    const keying = { kind: 'field', field: 'user' } as const;
    assert.equal(
      refusal(() => parseEventLines('{"user": "u1"}\n{"id": 1}', 'e.jsonl', keying)),
      'events publish: line 2 of e.jsonl has no field "user" to key it by (--key-field user); give every event that field, or use --key',
    );
    assert.equal(
      refusal(() => parseEventLines('{"user": {"id": 1}}', 'e.jsonl', keying)),
      'events publish: line 1 of e.jsonl: its "user" is an object, not a string or a number, so it cannot be the key (--key-field user)',
    );
  });

  it('events publish input - needs exactly one of --key and --key-field', () => {
    assert.deepEqual(eventKeying({ key: 'k' }), { kind: 'key', key: 'k' });
    assert.deepEqual(eventKeying({ keyField: 'user' }), { kind: 'field', field: 'user' });
    assert.equal(
      refusal(() => eventKeying({ key: 'k', keyField: 'user' })),
      'events publish: give --key (one key for every event) or --key-field (a field of each event), not both',
    );
    assert.equal(
      refusal(() => eventKeying({})),
      'events publish: say how to key the events: --key-field FIELD (each event by its own field, e.g. --key-field user) or --key KEY (every event by KEY)',
    );
  });

  it('events publish input - a topic name Kafka would refuse is refused first', () => {
    assert.equal(topicNameProblem('app.opens'), null);
    assert.equal(
      topicNameProblem('app opens'),
      `"app opens" is not a Kafka topic name: use 1 to 249 letters, digits, '.', '_' and '-'`,
    );
    assert.notEqual(topicNameProblem('..'), null);
    assert.notEqual(topicNameProblem('x'.repeat(250)), null);
  });
});
