import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Blueprint } from '../schemas/generated.js';
import { armOf, experimentArms } from './assign.js';

const bp = (name: string, arms: Record<string, number> | null) =>
  ({ name, experiment: arms === null ? null : { name: 'notif_v2', arms } }) as unknown as Blueprint;

test("experiment assignment - the same arm whichever arm's blueprint is asked, and the declared split over 100,000 entities", () => {
  const a = bp('notif', { notif: 0.5, notif_v2: 0.5 });
  const b = bp('notif_v2', { notif_v2: 0.5, notif: 0.5 }); // the same arms, written in another order
  assert.deepEqual(
    experimentArms(b.experiment!).map((x) => x.name),
    ['notif', 'notif_v2'],
  );
  let v2 = 0;
  for (let i = 0; i < 100_000; i++) {
    const arm = armOf(a, `user-${i}`);
    assert.equal(armOf(b, `user-${i}`), arm);
    if (arm === 'notif_v2') v2++;
  }
  assert.ok(Math.abs(v2 / 100_000 - 0.5) < 0.01, `${v2} of 100000 in notif_v2`);
  assert.equal(armOf(bp('solo', null), 'user-1'), 'solo');
});
