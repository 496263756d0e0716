import { test } from 'node:test';
import assert from 'node:assert/strict';
import { repeatAfter } from './repeat.js';

test('repeat - runs never overlap, a failure is reported and the next run still comes, and stop ends it', async () => {
  const events: string[] = [];
  let running = false;
  let run = 0;
  const errors: unknown[] = [];
  const stop = repeatAfter(
    async () => {
      assert.equal(running, false, 'a run started while another was going');
      running = true;
      run++;
      events.push(`run ${run}`);
      await new Promise((resolve) => setTimeout(resolve, 15));
      running = false;
      if (run === 2) throw new Error('second run failed');
    },
    () => 1,
    (error) => errors.push(error),
  );
  await new Promise((resolve) => setTimeout(resolve, 100));
  stop();
  const count = run;
  await new Promise((resolve) => setTimeout(resolve, 60));
  assert.ok(count >= 3, `${count} runs`);
  assert.equal(run, count, 'no run after stop (but the one in progress)');
  assert.deepEqual(
    errors.map((e) => (e as Error).message),
    ['second run failed'],
  );
});
