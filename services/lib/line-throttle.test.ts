import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineThrottle } from './line-throttle.js';

test('line throttle - writes the first line at once, then at most one a period with the count held back', () => {
  const throttle = new LineThrottle(30_000);
  assert.equal(throttle.note(1_000), 1);
  assert.equal(throttle.note(2_000, 5), 0);
  assert.equal(throttle.note(30_999), 0);
  assert.equal(throttle.note(31_000, 2), 8, 'the 6 held back and these 2');
  assert.equal(throttle.note(61_000), 1);
});
