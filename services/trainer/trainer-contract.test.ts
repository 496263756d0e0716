// The one check suite every trainer passes (CONTRIBUTING.md habit 2): the Trainer contract
// (trainer.ts), through which main.ts learns, publishes, commits and disposes, checked against each
// kind on a small blueprint of its task. A new kind of trainer is its file plus its case here.
//
// Where the kinds differ by design, the case says how and the check is exact about it: a trainer
// of a score holds a version due pending until the continuation gate judges it on later examples
// (continuation-gate.ts), which its learners learn too; the others publish at once.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileBlueprint } from '../lib/blueprint/compile.js';
import { blueprintWith } from '../lib/blueprint/test-blueprints.js';
import { initBackend } from '../lib/learners/index.js';
import { WARMUP_EXAMPLES } from '../lib/planning/bandit-model.js';
import { exampleRecord, T0 } from '../lib/joiner/test-records.js';
import type { Blueprint, Example } from '../lib/schemas/generated.js';
import { BlueprintTrainer } from './blueprint-trainer.js';
import { CONTINUATION_MIN_EXAMPLES, FIRST_VERSION_MIN_EXAMPLES } from './continuation-gate.js';
import { MulticlassTrainer } from './multiclass-trainer.js';
import { PlanningTrainer } from './planning-trainer.js';
import { blueprintOf, colourPickBlueprint, COLOURS, planningBlueprint, planningExamples } from './test-fixtures.js';
import type { Trainer } from './trainer.js';

// The score trainer's side-by-side learners run on TensorFlow.js: the CPU backend, as in blueprint-trainer.test.ts.
await initBackend({ prefer: ['cpu'] });

interface TrainerCase {
  readonly kind: string;
  readonly blueprint: Blueprint;
  create(bp: Blueprint): Trainer;
  /** `n` examples of the blueprint that teach it, the `from`-th on, decided a second apart. */
  teaching(n: number, from: number): Example[];
  /** Examples of the blueprint that it refuses, each with why. */
  readonly refused: ReadonlyArray<readonly [Example, string]>;
  /** Examples it must have learned before a first version is taken. */
  readonly firstVersionAfter: number;
  /** Examples a version due is judged on before it is published; null: published at once, unjudged. */
  readonly judgedOn: number | null;
}

/** Threshold policy on one feature: a send is clicked from 18h (examples/notification_send.yaml, smaller). */
const score: TrainerCase = {
  kind: 'blueprint',
  blueprint: blueprintOf(
    compileBlueprint(blueprintWith((bp) => (bp['features'] = { context: [{ name: 'hour', type: 'int' }] }))),
  ),
  create: (bp) => new BlueprintTrainer(bp),
  teaching: (n, from) =>
    Array.from({ length: n }, (_, i) => {
      const hour = (from + i) % 24;
      return exampleRecord({
        features: { hour },
        label: hour >= 18 ? 1 : 0,
        action: 'send',
        decisionTs: T0 + (from + i) * 1000,
      });
    }),
  refused: [
    [
      exampleRecord({ features: { hour: 20 }, action: 'skip' }),
      'the outcome of a notification not sent says nothing of the score',
    ],
    [exampleRecord({ features: { hour: 20 }, label: Number.NaN, action: 'send' }), 'no label'],
  ],
  firstVersionAfter: FIRST_VERSION_MIN_EXAMPLES,
  judgedOn: CONTINUATION_MIN_EXAMPLES,
};

/** A bandit over two actions: push pays on ios, sms on web (test-fixtures.ts). */
const planning: TrainerCase = {
  kind: 'planning',
  blueprint: planningBlueprint(),
  create: (bp) => new PlanningTrainer(bp),
  teaching: (n, from) => planningExamples(n, from, { start: T0 }),
  refused: [
    [exampleRecord({ features: { platform: 'ios' }, action: 'email', propensity: 0.5 }), 'an action it does not have'],
    [exampleRecord({ features: { platform: 'ios' }, action: 'push', propensity: 0 }), 'no propensity'],
  ],
  firstVersionAfter: WARMUP_EXAMPLES,
  judgedOn: null,
};

/** The top 2 of four colours (test-fixtures.ts): each example's class as labelClass. */
const multiclass: TrainerCase = {
  kind: 'multiclass',
  blueprint: colourPickBlueprint(['x1']),
  create: (bp) => new MulticlassTrainer(bp),
  teaching: (n, from) =>
    Array.from({ length: n }, (_, k) => {
      const i = from + k;
      return exampleRecord({
        features: { x1: (i % 4) - 1.5, device: i % 3 === 0 ? 'ios' : 'web' },
        labelClass: COLOURS[i % 4]!,
        label: Number.NaN,
        decisionTs: T0 + i * 1000,
      });
    }),
  refused: [
    [exampleRecord({ features: { x1: 0 }, labelClass: null, label: 9 }), 'an index past the actions'],
    [exampleRecord({ features: { x1: 0 }, labelClass: null, label: Number.NaN }), 'no class'],
  ],
  firstVersionAfter: 1,
  judgedOn: null,
};

/** Adds examples that teach it and learns them; how many it learned. */
async function learn(trainer: Trainer, examples: readonly Example[]): Promise<number> {
  for (const e of examples) assert.equal(trainer.add(e), true);
  return trainer.learnQueued();
}

/**
 * Publishes the version due at `now`: at once, or, for a judged trainer, held pending first, judged
 * on the next examples (from the `from`-th on), then published.
 */
async function publishDue(c: TrainerCase, trainer: Trainer, from: number, now: number, floor: number) {
  const due = trainer.publish(now, floor);
  if (c.judgedOn === null) {
    assert.ok(due, 'published at once');
    assert.equal(trainer.pendingSince, null);
    return due;
  }
  assert.equal(due, null, 'held pending its verdict');
  assert.equal(trainer.pendingSince, now);
  await learn(trainer, c.teaching(c.judgedOn, from));
  const published = trainer.publish(now + 1, floor);
  // Only when it failed: the message's drainJudgements would take the judgements the checks read.
  if (published === null) assert.fail(`not published: ${JSON.stringify(trainer.drainJudgements())}`);
  return published;
}

function checkTrainer(c: TrainerCase): void {
  const name = c.blueprint.name;
  const judged = c.judgedOn !== null;

  it(`${c.kind} trainer - a fresh trainer has nothing unpublished and publishes nothing, nor after only queueing examples`, () => {
    const trainer = c.create(c.blueprint);
    assert.equal(trainer.hasUnpublished, false);
    assert.equal(trainer.publish(1000, 0), null);
    for (const e of c.teaching(c.firstVersionAfter, 0)) trainer.add(e);
    assert.equal(trainer.hasUnpublished, false, 'queued is not learned');
    assert.equal(trainer.publish(2000, 0), null);
    assert.deepEqual([trainer.pendingSince, trainer.pendingAgainst, trainer.lastRefusal], [null, null, null]);
    assert.deepEqual(trainer.drainJudgements(), []);
    trainer.dispose();
  });

  it(`${c.kind} trainer - add is true for an example that teaches it and false for one it refuses`, () => {
    const trainer = c.create(c.blueprint);
    assert.equal(trainer.add(c.teaching(1, 0)[0]!), true);
    for (const [example, why] of c.refused) assert.equal(trainer.add(example), false, why);
    trainer.dispose();
  });

  it(`${c.kind} trainer - learnQueued returns how many examples it learned and empties the queue`, async () => {
    const trainer = c.create(c.blueprint);
    for (const e of c.teaching(5, 0)) trainer.add(e);
    for (const [example] of c.refused) trainer.add(example);
    assert.equal(await trainer.learnQueued(), 5, 'the refused examples are not queued');
    assert.equal(await trainer.learnQueued(), 0);
    trainer.dispose();
  });

  it(`${c.kind} trainer - once it learned enough, publishes <blueprint>/<n> above the sequence floor, once`, async () => {
    const trainer = c.create(c.blueprint);
    assert.equal(await learn(trainer, c.teaching(c.firstVersionAfter - 1, 0)), c.firstVersionAfter - 1);
    assert.equal(trainer.publish(1000, 6), null, 'one example short of a first version');
    assert.equal(trainer.hasUnpublished, false);
    await learn(trainer, c.teaching(1, c.firstVersionAfter - 1));
    const { record } = await publishDue(c, trainer, c.firstVersionAfter, 2000, 6);
    assert.deepEqual(
      [
        record.modelVersion,
        record.sequence,
        record.blueprint,
        record.blueprintVersion,
        record.role,
        record.parentVersion,
      ],
      [`${name}/7`, 7, name, 1, 'trained', null],
    );
    assert.equal(trainer.pendingSince, null, 'nothing pending once published');
    // A judged trainer's learners learned the examples that judged its version after it was taken.
    assert.equal(trainer.hasUnpublished, judged, judged ? 'the judging examples are in no version' : 'all in it');
    assert.deepEqual(
      trainer.drainJudgements().map((j) => [j.kind, j.servedVersion]),
      judged ? [['publish', null]] : [],
    );
    assert.deepEqual(trainer.drainJudgements(), [], 'each judgement is drained once');
    assert.equal(trainer.lastRefusal, null);
    assert.equal(trainer.publish(3000, 6), null, 'not published twice');
    trainer.dispose();
  });

  it(`${c.kind} trainer - a new version of its blueprint keeps what it learned and goes on learning`, async () => {
    const trainer = c.create(c.blueprint);
    await learn(trainer, c.teaching(c.firstVersionAfter, 0));
    const first = (await publishDue(c, trainer, c.firstVersionAfter, 1000, 0)).record;
    let from = c.firstVersionAfter + (c.judgedOn ?? 0);
    trainer.updateBlueprint({ ...c.blueprint, version: 2 });
    assert.equal(trainer.blueprint.version, 2);
    assert.equal(await learn(trainer, c.teaching(50, from)), 50);
    from += 50;
    assert.equal(trainer.hasUnpublished, true);
    const next = (await publishDue(c, trainer, from, 2000, 0)).record;
    assert.deepEqual(
      [next.modelVersion, next.blueprintVersion, next.parentVersion],
      [`${name}/2`, 2, first.modelVersion],
    );
    // A score's online learners also count what they replay, and learned the examples that judged it.
    if (judged) assert.ok(next.trainedOnExamples > first.trainedOnExamples + 50, `${next.trainedOnExamples} examples`);
    else assert.equal(next.trainedOnExamples, first.trainedOnExamples + 50);
    trainer.dispose();
  });

  it(`${c.kind} trainer - dispose can be called twice`, async () => {
    const trainer = c.create(c.blueprint);
    await learn(trainer, c.teaching(5, 0));
    trainer.dispose();
    assert.doesNotThrow(() => trainer.dispose());
  });
}

for (const c of [score, planning, multiclass]) describe(`trainer contract: ${c.kind} trainer`, () => checkTrainer(c));
