import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TimerFloor } from './timer-floor.js';

/** A floor whose first tick finished at `now`. */
function afterTick(now: number): TimerFloor {
  const floor = new TimerFloor();
  assert.equal(floor.startTick(), 0, 'the first tick scans from the start');
  floor.finishTick(now);
  return floor;
}

test('TimerFloor - each tick scans from past the time the tick before it finished at', () => {
  const floor = afterTick(1000.7);
  assert.equal(floor.startTick(), 1001);
  floor.finishTick(2000);
  assert.equal(floor.startTick(), 2001);
});

test('TimerFloor - a timer written below the floor, before or during a tick, lowers where the next tick starts', () => {
  const floor = afterTick(1000);
  floor.written(1500);
  floor.written(400);
  assert.equal(floor.startTick(), 400, 'written before the tick: this tick starts there');
  floor.written(700);
  floor.finishTick(2000);
  assert.equal(floor.startTick(), 700, 'written during the tick, which may have passed it: the next tick starts there');
  floor.finishTick(3000);
  assert.equal(floor.startTick(), 3001);
});

test('TimerFloor - a tick that does not finish (stopped, failed) leaves the floor where it started', () => {
  const floor = afterTick(1000);
  floor.written(10);
  assert.equal(floor.startTick(), 10);
  assert.equal(floor.startTick(), 10);
});

test('TimerFloor - a reset sends the next tick to the start, and a tick begun before it cannot raise the floor', () => {
  const floor = afterTick(1000);
  assert.equal(floor.startTick(), 1001);
  floor.reset();
  floor.finishTick(5000);
  assert.equal(floor.startTick(), 0);
  floor.finishTick(6000);
  assert.equal(floor.startTick(), 6001);
});

test('TimerFloor - the floor does not move back when the clock does (a tick at an earlier now)', () => {
  const floor = afterTick(5000);
  floor.startTick();
  floor.finishTick(3000);
  assert.equal(floor.startTick(), 5001);
});
