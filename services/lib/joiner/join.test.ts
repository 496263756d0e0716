import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Example } from '../schemas/generated.js';
import { buildExample } from './example.js';
import { forgetExpired, onDecision, onEntityEvent, onOutcome, onTick, pendingOf } from './join.js';
import { MemoryJoiner } from './memory-joiner.js';
import { decodePending, encodeDone, encodeEarlyOutcome } from './records.js';
import { decision, exampleRecord, id, MINUTE, opensLabel, outcomesLabel, T0, WINDOW } from './test-records.js';

const HOUR = 60 * MINUTE;
const ID = decision().decisionId;
const putKeys = (r: { mutations: { put: Array<[string, Uint8Array]> } }) => r.mutations.put.map(([key]) => key);

/** The example every test expects for decision(): only the label parts vary. */
function expected(
  label: number,
  labelTs: number,
  labelSource: Example['labelSource'],
  change: Partial<Example> = {},
): Example {
  return exampleRecord({ label, labelTs, labelSource, ...change });
}

describe('joiner', () => {
  it('joiner - stores a new decision as pending with its close timer', () => {
    const r = onDecision(decision(), outcomesLabel(), {});
    assert.deepEqual(r.examples, []);
    assert.deepEqual(r.ignored, []);
    assert.deepEqual(putKeys(r), [`p/${ID}`, `c/00${T0 + WINDOW}/${ID}`]);
    assert.deepEqual(r.mutations.del, []);
    assert.deepEqual(decodePending(r.mutations.put[0]![1]), pendingOf(decision(), outcomesLabel()));
  });

  it('joiner - joins an outcome to its decision by decisionId', () => {
    const pending = pendingOf(decision(), outcomesLabel());
    const r = onOutcome({ decisionId: ID, value: 1, ts: T0 + 5 * MINUTE, candidateId: null }, { pending });
    assert.deepEqual(r.examples, [expected(1, T0 + 5 * MINUTE, 'outcome')]);
    assert.deepEqual(r.mutations.del, [`p/${ID}`, `c/00${T0 + WINDOW}/${ID}`]);
    assert.deepEqual(r.mutations.put, [
      [`d/${ID}`, encodeDone({ forgetAt: T0 + WINDOW + HOUR })],
      [`f/00${T0 + WINDOW + HOUR}/d/${ID}`, Buffer.alloc(0)],
    ]);
  });

  it('joiner - accepts an outcome at the last millisecond of the window and ignores one after it', () => {
    const pending = pendingOf(decision(), outcomesLabel());
    const atClose = onOutcome({ decisionId: ID, value: 1, ts: T0 + WINDOW, candidateId: null }, { pending });
    assert.deepEqual(atClose.examples, [expected(1, T0 + WINDOW, 'outcome')]);
    const late = onOutcome({ decisionId: ID, value: 1, ts: T0 + WINDOW + 1, candidateId: null }, { pending });
    assert.deepEqual(late, {
      examples: [],
      mutations: { put: [], del: [] },
      ignored: [{ decisionId: ID, reason: 'late_outcome' }],
    });
  });

  it('joiner - an outcome after the window leaves the decision to its implicit label', () => {
    const j = new MemoryJoiner();
    j.decision(decision(), outcomesLabel());
    assert.deepEqual(j.outcome({ decisionId: ID, value: 1, ts: T0 + WINDOW + MINUTE, candidateId: null }), []);
    assert.deepEqual(j.tick(T0 + WINDOW + MINUTE), [expected(0, T0 + WINDOW, 'missing')]);
    assert.deepEqual(j.ignored, [{ decisionId: ID, reason: 'late_outcome' }]);
  });

  it('joiner - emits an implicit negative when the window closes', () => {
    const j = new MemoryJoiner();
    j.decision(decision(), outcomesLabel());
    assert.deepEqual(j.tick(T0 + WINDOW - 1), []);
    assert.deepEqual(j.tick(T0 + WINDOW), [expected(0, T0 + WINDOW, 'missing')]);
    assert.deepEqual(j.tick(T0 + WINDOW + MINUTE), []);
    assert.deepEqual(j.keys(), [`d/${ID}`, `f/00${T0 + WINDOW + HOUR}/d/${ID}`]);
  });

  it('joiner - closes a window without an example when the blueprint declares no missing label', () => {
    const pending = pendingOf(decision(), outcomesLabel({ missing: null }));
    const r = onTick(T0 + WINDOW, [pending]);
    assert.deepEqual(r.examples, []);
    assert.deepEqual(r.ignored, [{ decisionId: ID, reason: 'closed_without_label' }]);
    assert.deepEqual(r.mutations.del, [`p/${ID}`, `c/00${T0 + WINDOW}/${ID}`]);
    assert.deepEqual(putKeys(r), [`d/${ID}`, `f/00${T0 + WINDOW + HOUR}/d/${ID}`]);
  });

  it('joiner - leaves decisions that are not due yet to a later tick', () => {
    const r = onTick(T0, [pendingOf(decision(), outcomesLabel())]);
    assert.deepEqual(r, { examples: [], mutations: { put: [], del: [] }, ignored: [] });
  });

  it('joiner - ignores a duplicate decision, pending or done', () => {
    const pending = pendingOf(decision(), outcomesLabel());
    const nothing = {
      examples: [],
      mutations: { put: [], del: [] },
      ignored: [{ decisionId: ID, reason: 'duplicate_decision' }],
    };
    assert.deepEqual(onDecision(decision(), outcomesLabel(), { pending }), nothing);
    assert.deepEqual(onDecision(decision(), outcomesLabel(), { done: { forgetAt: T0 + 2 * HOUR } }), nothing);
    const j = new MemoryJoiner();
    j.decision(decision(), outcomesLabel());
    j.outcome({ decisionId: ID, value: 1, ts: T0 + MINUTE, candidateId: null });
    assert.deepEqual(j.decision(decision(), outcomesLabel()), []);
    assert.deepEqual(j.tick(T0 + WINDOW), []);
  });

  it('joiner - ignores a second outcome of a done decision', () => {
    const j = new MemoryJoiner();
    j.decision(decision(), outcomesLabel());
    assert.equal(j.outcome({ decisionId: ID, value: 1, ts: T0 + MINUTE, candidateId: null }).length, 1);
    assert.deepEqual(j.outcome({ decisionId: ID, value: 1, ts: T0 + 2 * MINUTE, candidateId: null }), []);
    assert.deepEqual(j.tick(T0 + WINDOW), []);
    assert.deepEqual(j.ignored, [{ decisionId: ID, reason: 'duplicate_outcome' }]);
  });

  it('joiner - keeps an outcome that arrives before its decision, and joins it when the decision comes', () => {
    const outcome = { decisionId: ID, value: 1, ts: T0 + 3 * MINUTE, candidateId: null };
    const kept = onOutcome(outcome, {});
    const forgetAt = T0 + 3 * MINUTE + HOUR;
    const early = {
      decisionId: ID,
      ts: T0 + 3 * MINUTE,
      topic: null,
      fields: { value: 1, candidateId: null },
      forgetAt,
    };
    assert.deepEqual(kept, {
      examples: [],
      mutations: {
        put: [
          [`o/${ID}`, encodeEarlyOutcome(early)],
          [`f/00${forgetAt}/o/${ID}`, Buffer.alloc(0)],
        ],
        del: [],
      },
      ignored: [],
    });
    const joined = onDecision(decision(), outcomesLabel(), { earlyOutcome: early });
    assert.deepEqual(joined.examples, [expected(1, T0 + 3 * MINUTE, 'outcome')]);
    assert.deepEqual(joined.mutations.del, [`o/${ID}`, `f/00${forgetAt}/o/${ID}`]);
    assert.deepEqual(putKeys(joined), [`d/${ID}`, `f/00${T0 + WINDOW + HOUR}/d/${ID}`]);
  });

  it('joiner - an early outcome joins exactly once, through the store', () => {
    const j = new MemoryJoiner();
    const outcome = { decisionId: ID, value: 1, ts: T0 + 3 * MINUTE, candidateId: null };
    assert.deepEqual(j.outcome(outcome), []);
    assert.deepEqual(j.outcome(outcome), []);
    assert.deepEqual(j.decision(decision(), outcomesLabel()), [expected(1, T0 + 3 * MINUTE, 'outcome')]);
    assert.deepEqual(j.tick(T0 + WINDOW), []);
    assert.deepEqual(j.ignored, [{ decisionId: ID, reason: 'duplicate_outcome' }]);
    assert.deepEqual(j.keys(), [`d/${ID}`, `f/00${T0 + WINDOW + HOUR}/d/${ID}`]);
  });

  it("joiner - an early outcome later than its decision's window is dropped and the decision waits", () => {
    const j = new MemoryJoiner();
    j.outcome({ decisionId: ID, value: 1, ts: T0 + WINDOW + 1, candidateId: null });
    assert.deepEqual(j.decision(decision(), outcomesLabel()), []);
    assert.deepEqual(j.keys(), [`c/00${T0 + WINDOW}/${ID}`, `p/${ID}`]);
    assert.deepEqual(j.tick(T0 + WINDOW), [expected(0, T0 + WINDOW, 'missing')]);
  });

  it('joiner - forgets early outcomes and done markers after their retention, leaving the store empty', () => {
    const j = new MemoryJoiner({ earlyOutcomeRetentionMs: 10 * MINUTE, doneRetentionMs: 20 * MINUTE });
    j.decision(decision(), outcomesLabel());
    j.outcome({ decisionId: id(2), value: 1, ts: T0, candidateId: null });
    j.tick(T0 + 10 * MINUTE - 1);
    assert.deepEqual(j.keys(), [
      `c/00${T0 + WINDOW}/${ID}`,
      `f/00${T0 + 10 * MINUTE}/o/${id(2)}`,
      `o/${id(2)}`,
      `p/${ID}`,
    ]);
    j.tick(T0 + 10 * MINUTE);
    assert.deepEqual(j.keys(), [`c/00${T0 + WINDOW}/${ID}`, `p/${ID}`]);
    j.tick(T0 + WINDOW);
    j.tick(T0 + WINDOW + 20 * MINUTE - 1);
    assert.deepEqual(j.keys(), [`d/${ID}`, `f/00${T0 + WINDOW + 20 * MINUTE}/d/${ID}`]);
    j.tick(T0 + WINDOW + 20 * MINUTE);
    assert.deepEqual(j.keys(), []);
    assert.deepEqual(forgetExpired(T0, [`f/00${T0 + 1}/d/x`]), { put: [], del: [] });
  });

  it('joiner - labels every pending decision of an entity whose window holds the event', () => {
    const label = opensLabel();
    const j = new MemoryJoiner();
    j.decision(decision({ decisionId: id(1), ts: T0 }), label);
    j.decision(decision({ decisionId: id(2), ts: T0 + 10 * MINUTE }), label);
    j.decision(decision({ decisionId: id(3), ts: T0 + 20 * MINUTE }), label);
    j.decision(decision({ decisionId: id(4), ts: T0, entity: 'user-8' }), label);
    assert.ok(j.keys().includes(`e/app.opens/user-7/${id(1)}`));
    const examples = j.entityEvent({
      topic: 'app.opens',
      entity: 'user-7',
      ts: T0 + 15 * MINUTE,
      value: { platform: 'ios' },
    });
    assert.deepEqual(
      examples.map((e) => [e.decisionId, e.label, e.labelTs, e.labelSource]),
      [
        [id(1), 1, T0 + 15 * MINUTE, 'event'],
        [id(2), 1, T0 + 15 * MINUTE, 'event'],
      ],
    );
    assert.deepEqual(j.entityEvent({ topic: 'app.opens', entity: 'user-7', ts: T0 + 16 * MINUTE, value: {} }), []);
    assert.deepEqual(
      j.tick(T0 + 20 * MINUTE + WINDOW).map((e) => [e.decisionId, e.label, e.labelSource]),
      [
        [id(4), 0, 'missing'],
        [id(3), 0, 'missing'],
      ],
    );
    assert.ok(j.keys().every((key) => key.startsWith('d/') || key.startsWith('f/')));
  });

  it('joiner - an entity event before a decision or after its window does not label it', () => {
    const pending = pendingOf(decision(), opensLabel());
    const event = (ts: number) => ({ topic: 'app.opens', entity: 'user-7', ts, value: {} });
    const early = onEntityEvent(event(T0 - 1), [pending]);
    assert.deepEqual([early.examples, early.ignored, early.mutations.del], [[], [], []]);
    assert.deepEqual(
      early.mutations.put.map(([key]) => key),
      [
        'v/app.opens/user-7/001749999999999/5465b825',
        'f/001750000599999/v/v%2Fapp.opens%2Fuser-7%2F001749999999999%2F5465b825',
      ],
      'kept for a decision read later, and forgotten after 10 minutes',
    );
    assert.deepEqual(onEntityEvent(event(T0 + WINDOW + 1), [pending]).examples, []);
    assert.deepEqual(onEntityEvent(event(T0), [pending]).examples, [expected(1, T0, 'event')]);
    const atClose = onEntityEvent(event(T0 + WINDOW), [pending]);
    assert.deepEqual(atClose.examples, [expected(1, T0 + WINDOW, 'event')]);
    assert.deepEqual(atClose.mutations.del, [`p/${ID}`, `c/00${T0 + WINDOW}/${ID}`, `e/app.opens/user-7/${ID}`]);
  });

  it('joiner - reads the label from the value field of an entity event', () => {
    const pending = pendingOf(decision(), opensLabel({ valueConstant: null, valueField: 'amount' }));
    const event = (value: Record<string, unknown>) => ({
      topic: 'app.opens',
      entity: 'user-7',
      ts: T0 + MINUTE,
      value,
    });
    assert.deepEqual(onEntityEvent(event({ amount: 12.5 }), [pending]).examples, [
      expected(12.5, T0 + MINUTE, 'event'),
    ]);
    assert.deepEqual(onEntityEvent(event({ amount: true }), [pending]).examples[0]?.label, 1);
    const missing = onEntityEvent(event({ amount: 'twelve' }), [pending]);
    assert.deepEqual(
      [missing.examples, missing.ignored, missing.mutations.del],
      [[], [{ decisionId: ID, reason: 'no_label_value' }], []],
    );
  });

  it('joiner - reads the label from the outcome value when the label has no constant', () => {
    const pending = pendingOf(decision(), outcomesLabel({ valueConstant: null, valueField: 'value', missing: null }));
    const r = onOutcome({ decisionId: ID, value: 19.99, ts: T0 + MINUTE, candidateId: null }, { pending });
    assert.deepEqual(r.examples, [expected(19.99, T0 + MINUTE, 'outcome')]);
  });

  it('joiner - joins a product event carrying a decisionId when the label matches by decisionId', () => {
    const pending = pendingOf(decision(), opensLabel({ match: 'decisionId' }));
    const r = onOutcome(
      { topic: 'app.opens', decisionId: ID, ts: T0 + MINUTE, value: { decisionId: ID } },
      { pending },
    );
    assert.deepEqual(r.examples, [expected(1, T0 + MINUTE, 'event')]);
    assert.deepEqual(r.mutations.del, [`p/${ID}`, `c/00${T0 + WINDOW}/${ID}`]);
  });

  it("joiner - ignores an outcome from a source the decision's label does not read", () => {
    const onTopic = pendingOf(decision(), opensLabel());
    const r = onOutcome({ decisionId: ID, value: 1, ts: T0 + MINUTE, candidateId: null }, { pending: onTopic });
    assert.deepEqual(r, {
      examples: [],
      mutations: { put: [], del: [] },
      ignored: [{ decisionId: ID, reason: 'wrong_source' }],
    });
    const otherTopic = onEntityEvent({ topic: 'app.sessions', entity: 'user-7', ts: T0 + MINUTE, value: {} }, [
      onTopic,
    ]);
    assert.deepEqual(otherTopic.examples, []);
  });

  it('joiner - an example carries the features as logged at decision time, unchanged', () => {
    const logged = decision({
      features: { hour: 9, platform: 'web', opens_1d: 0, session_mean_7d: null, seq: [1, 'x', null], odd: Number.NaN },
    });
    const j = new MemoryJoiner();
    j.decision(logged, outcomesLabel());
    (logged.features as Record<string, unknown>).opens_1d = 99;
    (logged.features.seq as unknown[]).push(2);
    const [example] = j.outcome({ decisionId: ID, value: 1, ts: T0 + MINUTE, candidateId: null });
    assert.deepEqual(example?.features, {
      hour: 9,
      platform: 'web',
      opens_1d: 0,
      session_mean_7d: null,
      seq: [1, 'x', null],
      odd: Number.NaN,
    });
  });

  it('joiner - buildExample copies the decision and labels it', () => {
    const pending = pendingOf(
      decision({ shadow: null, experimentArm: 'b', fallback: true, modelVersion: null, score: null }),
      outcomesLabel(),
    );
    const example = buildExample(pending, 1, T0 + 7, 'outcome');
    assert.deepEqual(
      example,
      expected(1, T0 + 7, 'outcome', {
        shadowScores: null,
        experimentArm: 'b',
        fallback: true,
        modelVersion: null,
        score: null,
      }),
    );
    assert.notEqual(example.features, pending.decision.features);
  });

  it('joiner - emits exactly one example per decision whatever the order and repetition of records', () => {
    const j = new MemoryJoiner();
    const examples: Example[] = [];
    const label = outcomesLabel();
    for (let n = 0; n < 40; n++) {
      const d = decision({ decisionId: id(n), ts: T0 + n * MINUTE });
      const outcome = { decisionId: id(n), value: 1, ts: T0 + n * MINUTE + (n % 4) * 10 * MINUTE, candidateId: null };
      if (n % 3 === 0) examples.push(...j.outcome(outcome), ...j.decision(d, label), ...j.decision(d, label));
      else
        examples.push(
          ...j.decision(d, label),
          ...j.decision(d, label),
          ...(n % 5 === 0 ? [] : [...j.outcome(outcome), ...j.outcome(outcome)]),
        );
      examples.push(...j.tick(T0 + n * MINUTE));
    }
    examples.push(...j.tick(T0 + 40 * MINUTE + WINDOW), ...j.tick(T0 + 40 * MINUTE + WINDOW + HOUR));
    assert.deepEqual(
      examples.map((e) => e.decisionId).sort(),
      Array.from({ length: 40 }, (_, n) => id(n)),
    );
    // Every outcome is 0, 10, 20 or 30 minutes (the window's last ms) after its decision, so it labels it;
    // decisions 5, 10, 20, 25 and 35 got no outcome (n % 5 === 0, n % 3 !== 0): implicit negatives.
    assert.deepEqual(
      examples.filter((e) => e.label === 0).map((e) => e.decisionId),
      [5, 10, 20, 25, 35].map(id),
    );
    assert.deepEqual(j.keys(), []);
  });

  it('joiner - rejects a decision whose time is not epoch milliseconds', () => {
    assert.throws(() => onDecision(decision({ ts: 1.5 }), outcomesLabel(), {}), {
      name: 'JoinerInputError',
      code: 'invalid_decision',
      message: `decision ${ID}: ts 1.5 is not whole epoch milliseconds between 0 and 999999999999999`,
    });
    assert.throws(() => onOutcome({ decisionId: ID, value: 1, ts: -5, candidateId: null }, {}), {
      code: 'invalid_outcome',
    });
  });

  it('joiner - an entity event read before its decision labels it when the decision arrives, the earliest in its window', () => {
    const joiner = new MemoryJoiner();
    const event = (ts: number, amount: number) => ({ topic: 'app.opens', entity: 'user-7', ts, value: { amount } });
    assert.deepEqual(joiner.entityEvent(event(T0 - 5, 1)), [], 'before the decision: not its label');
    assert.deepEqual(joiner.entityEvent(event(T0 + 2 * MINUTE, 7)), []);
    assert.deepEqual(joiner.entityEvent(event(T0 + MINUTE, 3)), []);
    const label = opensLabel({ valueConstant: null, valueField: 'amount' });
    assert.deepEqual(
      joiner.decision(decision(), label).map((e) => [e.label, e.labelTs, e.labelSource]),
      [[3, T0 + MINUTE, 'event']],
    );
    assert.deepEqual(joiner.decision(decision(), label), [], 'a duplicate decision finds it done');
    joiner.tick(T0 + 2 * MINUTE + 10 * MINUTE);
    assert.ok(
      joiner.keys().every((k) => (!k.startsWith('v/') && !k.startsWith('f/')) || k.includes('/d/')),
      'the kept events are forgotten after their retention',
    );
  });

  it("joiner - a label that names a class keeps the event's string as labelClass (label NaN), with the classes returned", () => {
    const returned = decision({ score: 0.4, action: 'home', ranking: ['home', 'search'], shadow: null });
    const pending = pendingOf(returned, {
      ...opensLabel({ valueConstant: null, valueField: 'page', missing: null }),
      classes: true,
    });
    const [example] = onEntityEvent(
      { topic: 'app.opens', entity: 'user-7', ts: T0 + MINUTE, value: { page: 'search' } },
      [pending],
    ).examples;
    assert.deepEqual(
      [example?.labelClass, Number.isNaN(example?.label), example?.ranking],
      ['search', true, ['home', 'search']],
    );
    const numeric = pendingOf(returned, opensLabel({ valueConstant: null, valueField: 'page', missing: null }));
    assert.deepEqual(
      onEntityEvent({ topic: 'app.opens', entity: 'user-7', ts: T0 + MINUTE, value: { page: 'search' } }, [numeric])
        .ignored,
      [{ decisionId: ID, reason: 'no_label_value' }],
      'a string is no label for a numeric one',
    );
  });
});
