import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { followTopics, type TopicFollowerContext } from './topic-follower.js';

/** A broker with `existing` topics, and consumers whose stop calls `onStop` and then waits until `release` is called. */
function harness(existing: string[]) {
  const lines: string[] = [];
  const starts: string[][] = [];
  let release = () => {};
  let stopped = Promise.resolve();
  let failNextStart = false;
  const hooks = { onStop: () => {} };
  const ctx: TopicFollowerContext = {
    kafka: {
      admin: () => ({ connect: async () => {}, disconnect: async () => {}, listTopics: async () => [...existing] }),
    },
    log: (line) => lines.push(line),
  };
  const start = async (topics: string[]) => {
    if (failNextStart) {
      failNextStart = false;
      throw new Error('group coordinator not available');
    }
    starts.push(topics);
    stopped = new Promise<void>((resolve) => (release = resolve));
    const released = stopped;
    return {
      stop: () => {
        hooks.onStop();
        return released;
      },
    };
  };
  return { ctx, lines, starts, start, hooks, release: () => release(), failNextStart: () => (failNextStart = true) };
}

describe('followTopics', () => {
  it('starts on the wanted topics that exist and says which it waits for', async () => {
    const h = harness(['a', 'b']);
    const follower = await followTopics(h.ctx, () => ['b', 'a', 'c', 'a'], h.start, undefined, 60_000);
    assert.deepEqual(h.starts, [['a', 'b']]);
    assert.deepEqual(follower.topics(), ['a', 'b']);
    assert.deepEqual(h.lines, ['consuming a, b (waiting for c to exist)']);
    await follower.refresh();
    assert.equal(h.starts.length, 1, 'an unchanged set does not restart the consumer');
  });

  it('a blueprint that arrives while the old consumer stops joins the same start', async () => {
    const h = harness(['a', 'b', 'c']);
    let wanted = ['a'];
    const follower = await followTopics(h.ctx, () => wanted, h.start, undefined, 60_000);
    wanted = ['a', 'b'];
    let second: Promise<void> | undefined;
    h.hooks.onStop = () => {
      wanted = ['a', 'b', 'c'];
      second = follower.refresh();
      h.release();
    };
    await follower.refresh();
    await second;
    assert.deepEqual(h.starts, [['a'], ['a', 'b', 'c']], 'one restart, on every topic wanted by then');
  });

  it('a start that failed is tried again on the next refresh', async () => {
    const h = harness(['a', 'b']);
    let wanted = ['a'];
    const follower = await followTopics(h.ctx, () => wanted, h.start, undefined, 60_000);
    wanted = ['a', 'b'];
    h.failNextStart();
    const failed = follower.refresh();
    h.release();
    await failed;
    assert.match(h.lines.at(-1)!, /^topic refresh failed: group coordinator not available$/);
    assert.deepEqual(follower.topics(), ['a']);
    await follower.refresh();
    assert.deepEqual(h.starts, [['a'], ['a', 'b']]);
    assert.deepEqual(follower.topics(), ['a', 'b']);
  });

  it('a change of settings restarts the consumer on the same topics', async () => {
    const h = harness(['a']);
    let mode = 'serial';
    const follower = await followTopics(
      h.ctx,
      () => ['a'],
      h.start,
      () => mode,
      60_000,
    );
    mode = 'concurrent';
    const refreshed = follower.refresh();
    h.release();
    await refreshed;
    assert.deepEqual(h.starts, [['a'], ['a']]);
  });
});
