import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../learners/random.js';
import { ascendingOrder } from './order.js';

test('order - sorts negative, positive, tiny and huge numbers as a comparison sort does, ties in index order', () => {
  const values = [3, -1, 0, -0, 1e-300, -1e300, 2.5, 3, -1, Number.MIN_VALUE, 1e300, -2.5];
  assert.deepEqual([...ascendingOrder(values)], [5, 11, 1, 8, 2, 3, 9, 4, 6, 0, 7, 10]);
});

test('order - agrees with a stable comparison sort on 10,000 random numbers with many ties', () => {
  const random = new SeededRandom(3);
  const values = Array.from({ length: 10_000 }, () => Math.round(random.normal() * 50) / 10);
  const expected = values.map((_, i) => i).sort((i, j) => values[i]! - values[j]! || i - j);
  assert.deepEqual([...ascendingOrder(values)], expected);
});

test('order - an empty series has an empty order', () => {
  assert.deepEqual([...ascendingOrder([])], []);
});
