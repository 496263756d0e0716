import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../learners/random.js';
import { Asha, type AshaJob } from './asha.js';

const NINTH = { minResource: 1 / 9, maxResource: 1, eta: 3 } as const;

/** next(), checks the job, reports `value` for it. */
function step(asha: Asha, expected: AshaJob, value: number): void {
  assert.deepEqual(asha.next(), expected);
  asha.report(expected.trial, expected.rung, value);
}

test('asha - rungs run from minResource by factors of eta up to exactly maxResource', () => {
  assert.deepEqual(new Asha({ ...NINTH, maxTrials: 9 }).rungResources, [1 / 9, 1 / 3, 1]);
  assert.deepEqual(
    new Asha({ minResource: 0.1, maxResource: 1, maxTrials: 9 }).rungResources,
    [0.1, 0.30000000000000004, 0.9, 1],
  );
  assert.deepEqual(new Asha({ minResource: 0.25, maxResource: 1, eta: 2, maxTrials: 9 }).rungResources, [0.25, 0.5, 1]);
  assert.deepEqual(new Asha({ minResource: 1, maxResource: 1, maxTrials: 9 }).rungResources, [1]);
});

test('asha - a hand-worked search: promotions take the top third of a rung as soon as it has one', () => {
  const asha = new Asha({ ...NINTH, maxTrials: 9 });
  const fresh = (trial: number): AshaJob => ({ trial, rung: 0, resource: 1 / 9, kind: 'new' });
  step(asha, fresh(0), 0.5);
  step(asha, fresh(1), 0.9);
  step(asha, fresh(2), 0.1);
  // Rung 0 has 3 reports: its best (trial 1) goes up.
  step(asha, { trial: 1, rung: 1, resource: 1 / 3, kind: 'promotion' }, 0.8);
  step(asha, fresh(3), 0.7);
  step(asha, fresh(4), 0.2);
  step(asha, fresh(5), 0.95);
  // 6 reports: the top 2 are trials 5 and 1; 1 is already up.
  step(asha, { trial: 5, rung: 1, resource: 1 / 3, kind: 'promotion' }, 0.85);
  step(asha, fresh(6), 0.3);
  step(asha, fresh(7), 0.4);
  assert.equal(asha.done, false);
  step(asha, fresh(8), 0.6);
  // 9 reports: the top 3 are 5, 1 and 3; then rung 1 has 3 reports (5, 1, 3) and the highest rung goes first.
  step(asha, { trial: 3, rung: 1, resource: 1 / 3, kind: 'promotion' }, 0.75);
  assert.equal(asha.done, false);
  step(asha, { trial: 5, rung: 2, resource: 1, kind: 'promotion' }, 0.9);
  assert.equal(asha.next(), null);
  assert.equal(asha.done, true);
  assert.deepEqual(asha.finished(), [{ trial: 5, value: 0.9 }]);
});

test('asha - the end rule carries the best stranded trial to the top rung once new trials are spent', () => {
  const asha = new Asha({ ...NINTH, maxTrials: 4 });
  step(asha, { trial: 0, rung: 0, resource: 1 / 9, kind: 'new' }, 0.5);
  step(asha, { trial: 1, rung: 0, resource: 1 / 9, kind: 'new' }, 0.9);
  step(asha, { trial: 2, rung: 0, resource: 1 / 9, kind: 'new' }, 0.1);
  step(asha, { trial: 1, rung: 1, resource: 1 / 3, kind: 'promotion' }, 0.8);
  step(asha, { trial: 3, rung: 0, resource: 1 / 9, kind: 'new' }, 0.7);
  // Rung 1 holds one report (fewer than eta): the rule promotes nobody, the end rule takes trial 1 up.
  step(asha, { trial: 1, rung: 2, resource: 1, kind: 'promotion' }, 0.85);
  assert.equal(asha.next(), null);
  assert.equal(asha.done, true);
  assert.deepEqual(asha.finished(), [{ trial: 1, value: 0.85 }]);
});

test('asha - when the trial carried to the top fails there, the end rule carries the next best', () => {
  const asha = new Asha({ ...NINTH, maxTrials: 4 });
  for (const [trial, value] of [
    [0, 0.5],
    [1, 0.9],
    [2, 0.1],
  ] as const)
    step(asha, { trial, rung: 0, resource: 1 / 9, kind: 'new' }, value);
  step(asha, { trial: 1, rung: 1, resource: 1 / 3, kind: 'promotion' }, 0.8);
  step(asha, { trial: 3, rung: 0, resource: 1 / 9, kind: 'new' }, 0.7);
  step(asha, { trial: 1, rung: 2, resource: 1, kind: 'promotion' }, NaN);
  step(asha, { trial: 3, rung: 1, resource: 1 / 3, kind: 'promotion' }, 0.6);
  step(asha, { trial: 3, rung: 2, resource: 1, kind: 'promotion' }, 0.65);
  assert.equal(asha.next(), null);
  assert.equal(asha.done, true);
  assert.deepEqual(asha.finished(), [
    { trial: 3, value: 0.65 },
    { trial: 1, value: -Infinity },
  ]);
});

test('asha - with fewer trials than eta, the end rule climbs every rung from the bottom', () => {
  const asha = new Asha({ ...NINTH, maxTrials: 2 });
  step(asha, { trial: 0, rung: 0, resource: 1 / 9, kind: 'new' }, 0.9);
  step(asha, { trial: 1, rung: 0, resource: 1 / 9, kind: 'new' }, 0.5);
  step(asha, { trial: 0, rung: 1, resource: 1 / 3, kind: 'promotion' }, NaN);
  // Trial 0 failed at rung 1: the next best of rung 0 climbs instead.
  step(asha, { trial: 1, rung: 1, resource: 1 / 3, kind: 'promotion' }, 0.6);
  step(asha, { trial: 1, rung: 2, resource: 1, kind: 'promotion' }, 0.7);
  assert.equal(asha.next(), null);
  assert.equal(asha.done, true);
  assert.deepEqual(asha.finished(), [{ trial: 1, value: 0.7 }]);
});

test('asha - next() waits (null, not done) while the remaining work depends on reports not yet in', () => {
  const asha = new Asha({ ...NINTH, maxTrials: 3 });
  assert.deepEqual(
    [asha.next(), asha.next(), asha.next()].map((j) => j?.trial),
    [0, 1, 2],
  );
  assert.equal(asha.next(), null);
  assert.equal(asha.done, false);
  asha.report(2, 0, 0.3);
  asha.report(0, 0, 0.1);
  assert.equal(asha.next(), null);
  asha.report(1, 0, 0.2);
  assert.deepEqual(asha.next(), { trial: 2, rung: 1, resource: 1 / 3, kind: 'promotion' });
});

test('asha - failed trials rank last and are never promoted; an all-failed search ends with none finished', () => {
  const asha = new Asha({ ...NINTH, maxTrials: 3 });
  step(asha, { trial: 0, rung: 0, resource: 1 / 9, kind: 'new' }, NaN);
  step(asha, { trial: 1, rung: 0, resource: 1 / 9, kind: 'new' }, -Infinity);
  step(asha, { trial: 2, rung: 0, resource: 1 / 9, kind: 'new' }, NaN);
  assert.equal(asha.next(), null);
  assert.equal(asha.done, true);
  assert.deepEqual(asha.finished(), []);
});

test('asha - one rung: every trial runs on maxResource and finishes, best first', () => {
  const asha = new Asha({ minResource: 1, maxResource: 1, maxTrials: 3 });
  step(asha, { trial: 0, rung: 0, resource: 1, kind: 'new' }, 0.2);
  step(asha, { trial: 1, rung: 0, resource: 1, kind: 'new' }, NaN);
  step(asha, { trial: 2, rung: 0, resource: 1, kind: 'new' }, 0.4);
  assert.equal(asha.done, true);
  assert.deepEqual(asha.finished(), [
    { trial: 2, value: 0.4 },
    { trial: 0, value: 0.2 },
    { trial: 1, value: -Infinity },
  ]);
});

test('asha - with reports in any order, a search ends; finished trials ran on every rung; each rung promoted its top 1/eta', () => {
  for (const maxTrials of [1, 5, 13, 40, 81]) {
    const random = new SeededRandom(maxTrials);
    const asha = new Asha({ ...NINTH, maxTrials });
    const outstanding: AshaJob[] = [];
    const reported = new Map<string, number>();
    const byRung: Array<Map<number, number>> = [new Map(), new Map(), new Map()];
    let newJobs = 0;
    for (let guard = 0; guard < 10_000 && !asha.done; guard++) {
      const job = outstanding.length < 4 && random.next() < 0.6 ? asha.next() : null;
      if (job !== null) {
        assert.ok(
          job.rung === 0 || byRung[job.rung - 1]!.has(job.trial),
          `trial ${job.trial} promoted to rung ${job.rung} without a report below`,
        );
        newJobs += job.kind === 'new' ? 1 : 0;
        outstanding.push(job);
      } else if (outstanding.length > 0) {
        const [done] = outstanding.splice(Math.floor(random.next() * outstanding.length), 1);
        const value = random.next() < 0.1 ? NaN : random.next();
        asha.report(done!.trial, done!.rung, value);
        reported.set(`${done!.trial}@${done!.rung}`, value);
        byRung[done!.rung]!.set(done!.trial, Number.isNaN(value) ? -Infinity : value);
      }
    }
    assert.equal(asha.done, true, `maxTrials ${maxTrials}`);
    assert.equal(newJobs, maxTrials);
    assert.ok(asha.finished().length >= 1);
    for (const { trial } of asha.finished())
      for (const rung of [0, 1]) assert.ok(reported.has(`${trial}@${rung}`), `trial ${trial} skipped rung ${rung}`);
    // At the end, each rung's final top floor(n/eta) (failures aside) went up.
    for (const rung of [0, 1]) {
      const ranked = [...byRung[rung]!].filter(([, v]) => v > -Infinity).sort((a, b) => b[1] - a[1]);
      for (const [trial] of ranked.slice(0, Math.floor(byRung[rung]!.size / 3)))
        assert.ok(byRung[rung + 1]!.has(trial), `rung ${rung}: trial ${trial} not promoted`);
    }
  }
});

test('asha - refuses bad options and reports of jobs it did not hand out', () => {
  assert.throws(() => new Asha({ minResource: 0, maxResource: -1, eta: 1, maxTrials: 2.5 }), {
    name: 'ConfigError',
    message: [
      'invalid configuration:',
      '  - asha minResource must be a number > 0, got 0',
      '  - asha maxResource must be a number ≥ minResource (0), got -1',
      '  - asha eta must be a number > 1, got 1: try 3',
      '  - asha maxTrials must be an integer ≥ 1, got 2.5',
    ].join('\n'),
  });
  const asha = new Asha({ ...NINTH, maxTrials: 3 });
  asha.next();
  asha.report(0, 0, 0.5);
  assert.throws(() => asha.report(0, 0, 0.5), {
    name: 'LooperError',
    message: 'asha: no job of trial 0 at rung 0 is waiting for a report (report each job of next() once)',
  });
  assert.throws(() => asha.report(0, 1, 0.5), {
    message: 'asha: no job of trial 0 at rung 1 is waiting for a report (report each job of next() once)',
  });
});
