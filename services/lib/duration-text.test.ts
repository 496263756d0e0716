// Durations as text: durationText exact in blueprint syntax, spanText approximate for people.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { durationText, spanText } from './duration-text.js';

const S = 1000;
const MIN = 60_000;
const H = 3_600_000;
const D = 86_400_000;

describe('durationText', () => {
  it('the largest unit the duration is a whole number of, as a blueprint writes it', () => {
    assert.deepEqual([0, 250, 5 * S, 90 * S, 2 * MIN, 90 * MIN, 2 * H, 36 * H, D, 7 * D].map(durationText), [
      '0ms',
      '250ms',
      '5s',
      '90s',
      '2m',
      '90m',
      '2h',
      '36h',
      '1d',
      '7d',
    ]);
  });

  it('stays exact: no rounding to a larger unit', () => {
    assert.deepEqual([999, 1001, MIN - 1, H + 1, 0.5].map(durationText), [
      '999ms',
      '1001ms',
      '59999ms',
      '3600001ms',
      '0.5ms',
    ]);
  });
});

describe('spanText', () => {
  it('the largest unit reached, at most one decimal, no trailing .0', () => {
    assert.deepEqual([250, 4_200, 90 * S, 1.5 * MIN, 2.3 * H, 3.1 * D, H, 2 * D, 400 * D].map(spanText), [
      '250 ms',
      '4.2 s',
      '1.5 min',
      '1.5 min',
      '2.3 h',
      '3.1 d',
      '1 h',
      '2 d',
      '400 d',
    ]);
  });

  it('boundaries between units', () => {
    assert.deepEqual([0, 999, S, 59.9 * S, 60 * S, 3_599_999, H, 24 * H - 1, D].map(spanText), [
      '0 ms',
      '999 ms',
      '1 s',
      '59.9 s',
      '1 min',
      '1 h',
      '1 h',
      '1 d',
      '1 d',
    ]);
  });

  it('a value that rounds up to the next unit is written in it', () => {
    assert.deepEqual([999.96, 59_960, 59_940, 3_598_000, 23.96 * H].map(spanText), [
      '1 s',
      '1 min',
      '59.9 s',
      '1 h',
      '1 d',
    ]);
  });

  it('fractions of a millisecond keep one decimal', () => {
    assert.deepEqual([0.04, 0.25, 14.2, 40.27].map(spanText), ['0 ms', '0.3 ms', '14.2 ms', '40.3 ms']);
  });

  it('a negative duration keeps its sign; NaN and infinities are written as such', () => {
    assert.deepEqual([-250, -4_200, -90 * S, -0].map(spanText), ['−250 ms', '−4.2 s', '−1.5 min', '0 ms']);
    assert.deepEqual([NaN, Infinity, -Infinity].map(spanText), ['NaN', '∞', '−∞']);
  });
});
