import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  closeSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SegmentLog, type SegmentLogOptions } from './segment-log.js';
import { LogDirLockedError } from './errors.js';
import { processStartTime } from './dir-lock.js';
import { FRAME_HEADER_BYTES } from './frames.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'looper-segment-log-'));
  dirs.push(dir);
  return dir;
}

const HINT = 'give each process its own folder';
/** Key k<i> and a value of i + 1 bytes, each the byte i: a frame of 12 + 2 + (i + 1) bytes for i < 10. */
const recordOf = (i: number) => ({ key: `k${i}`, value: Buffer.alloc(i + 1, i) });
const frameOf = (i: number) => FRAME_HEADER_BYTES + `k${i}`.length + i + 1;
const sum = (ns: number[]) => ns.reduce((a, b) => a + b, 0);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);
const segmentFiles = (dir: string) => readdirSync(dir).filter((name) => name.endsWith('.log'));

function open(dir: string, lines: string[] = [], change: Partial<SegmentLogOptions> = {}): Promise<SegmentLog> {
  return SegmentLog.open({ dir, maxBytes: 1 << 20, lockHint: HINT, log: (line) => lines.push(line), ...change });
}

function appendAll(log: SegmentLog, indices: number[]): void {
  for (const i of indices) {
    const { key, value } = recordOf(i);
    assert.equal(log.append(key, value), null, `record ${i} is appended`);
  }
}

/** Reads and acknowledges chunks of `perChunk` records until caught up; returns the indices read, chunk by chunk. */
async function drainAll(log: SegmentLog, perChunk: number): Promise<number[][]> {
  const chunks: number[][] = [];
  while (!log.caughtUp()) {
    const chunk = await log.read(perChunk, 1 << 20);
    chunks.push(
      chunk.records.map(({ key, value }) => {
        const i = Number(key.toString().slice(1));
        assert.deepEqual(value, recordOf(i).value, `the value of record ${i}`);
        return i;
      }),
    );
    await log.acknowledge(chunk.end);
  }
  return chunks;
}

/** Records 0–2 written by a run that closed, its segment then damaged by `damage`, and the log opened again. */
async function reopenAfter(damage: (segment: string) => void) {
  const dir = tempDir();
  const first = await open(dir);
  appendAll(first, range(0, 3));
  await first.close();
  damage(join(dir, '0000000001.log'));
  const lines: string[] = [];
  return { dir, lines, second: await open(dir, lines) };
}

describe('segment log', () => {
  it('segment log - reads back every record in order, a chunk at a time, across segments', async () => {
    const dir = tempDir();
    const log = await open(dir, [], { segmentBytes: 60 });
    appendAll(log, range(0, 8));
    assert.equal(log.bytes(), sum(range(0, 8).map(frameOf)));
    assert.equal(log.pendingBytes(), log.bytes());
    // 15, 16, 17 | 18, 19, 20 | 21, 22 bytes: each segment takes frames while it stays within 60.
    assert.deepEqual(segmentFiles(dir), ['0000000001.log', '0000000002.log', '0000000003.log']);
    assert.deepEqual(await drainAll(log, 2), [[0, 1], [2], [3, 4], [5], [6, 7]]);
    assert.equal(log.bytes(), 0);
    await log.close();
  });

  it('segment log - an unacknowledged chunk is read again, and the position survives a reopen', async () => {
    const dir = tempDir();
    const first = await open(dir);
    appendAll(first, range(0, 5));
    const chunk = await first.read(2, 1 << 20);
    assert.deepEqual(
      (await first.read(2, 1 << 20)).records.map((r) => r.key.toString()),
      ['k0', 'k1'],
      'read again until acknowledged',
    );
    await first.acknowledge(chunk.end);
    assert.equal(first.pendingBytes(), sum(range(2, 5).map(frameOf)));
    await first.close();

    const second = await open(dir);
    assert.equal(second.pendingBytes(), sum(range(2, 5).map(frameOf)));
    appendAll(second, [5]);
    assert.deepEqual(await drainAll(second, 10), [[2, 3, 4], [5]], 'the earlier run first, in a segment of its own');
    await second.close();
  });

  it('segment log - deletes each segment once the position is past it, and every one once all is acknowledged', async () => {
    const dir = tempDir();
    const log = await open(dir, [], { segmentBytes: 40 });
    appendAll(log, range(0, 6)); // 15+16 | 17+18 | 19+20
    assert.deepEqual(segmentFiles(dir), ['0000000001.log', '0000000002.log', '0000000003.log']);
    const steps: string[][] = [];
    for (let n = 0; n < 3; n++) {
      await log.acknowledge((await log.read(2, 1 << 20)).end);
      await new Promise((resolve) => setTimeout(resolve, 50)); // deletions run after acknowledge resolves
      steps.push(segmentFiles(dir));
    }
    assert.deepEqual(steps, [['0000000002.log', '0000000003.log'], ['0000000003.log'], []]);
    assert.equal(log.bytes(), 0);
    assert.ok(log.caughtUp());
    appendAll(log, [6]);
    assert.deepEqual(segmentFiles(dir), ['0000000004.log'], 'the next append starts a new segment');
    await log.close();
  });

  it('segment log - refuses an append past maxBytes, and takes appends again once drained', async () => {
    const dir = tempDir();
    const maxBytes = sum(range(0, 3).map(frameOf));
    const log = await open(dir, [], { maxBytes });
    appendAll(log, range(0, 3));
    assert.equal(log.append('k3', recordOf(3).value), 'full');
    assert.equal(log.append('k0', recordOf(0).value), 'full', 'even the smallest record');
    assert.equal(log.bytes(), maxBytes);
    assert.deepEqual(await drainAll(log, 10), [[0, 1, 2]]);
    appendAll(log, [3]);
    assert.equal(log.bytes(), frameOf(3));
    await log.close();
  });

  it('segment log - skips a torn last record (a crash mid-append) with a line, and reads the rest', async () => {
    // What a crash mid-append leaves: the first 9 bytes of the next frame (key 2 bytes, value 4, a byte of its CRC).
    const { dir, lines, second } = await reopenAfter((segment) =>
      appendFileSync(segment, Buffer.from([2, 0, 0, 0, 4, 0, 0, 0, 0xaa])),
    );
    assert.deepEqual(await drainAll(second, 10), [[0, 1, 2]]);
    const at = sum(range(0, 3).map(frameOf));
    assert.deepEqual(lines, [
      `0000000001.log holds a torn record at byte ${at} (a crash mid-append, or a machine crash before it was synced): skipped the 9 bytes from there to its end`,
    ]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(segmentFiles(dir), [], 'the segment is deleted once drained');
    await second.close();
  });

  it('segment log - skips a record whose bytes do not match its checksum, and what follows it in its segment', async () => {
    // The second record's first value byte flipped, as a page of garbage a machine crash left would.
    const { lines, second } = await reopenAfter((segment) => {
      const fd = openSync(segment, 'r+');
      writeSync(fd, Buffer.from([0xff]), 0, 1, frameOf(0) + FRAME_HEADER_BYTES + 'k1'.length);
      closeSync(fd);
    });
    assert.deepEqual(await drainAll(second, 10), [[0]]);
    assert.deepEqual(lines, [
      `0000000001.log holds a torn record at byte ${frameOf(0)} (a crash mid-append, or a machine crash before it was synced): skipped the ${frameOf(1) + frameOf(2)} bytes from there to its end`,
    ]);
    await second.close();
  });

  it('segment log - reads a record larger than a chunk alone', async () => {
    const dir = tempDir();
    const log = await open(dir);
    assert.equal(log.append('big', Buffer.alloc(5000, 7)), null);
    appendAll(log, [0]);
    const chunk = await log.read(10, 100);
    assert.deepEqual(
      chunk.records.map((r) => [r.key.toString(), r.value.length]),
      [['big', 5000]],
    );
    await log.acknowledge(chunk.end);
    assert.deepEqual(await drainAll(log, 10), [[0]]);
    await log.close();
  });

  it('segment log - refuses a folder a live process holds, naming it and what to do', async () => {
    const dir = tempDir();
    const holder = process.ppid;
    writeFileSync(join(dir, 'LOCK'), `${holder} ${processStartTime(holder) ?? '-'}\n`);
    await assert.rejects(
      open(dir),
      (error: unknown) =>
        error instanceof LogDirLockedError &&
        error.message === `${dir} is in use by process ${holder}: give each process its own folder`,
    );
  });

  it('segment log - takes over a folder whose holder died, or whose pid now names another process', async () => {
    const dir = tempDir();
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeFileSync(join(dir, 'LOCK'), `${gone} 1\n`);
    await (await open(dir)).close();
    writeFileSync(join(dir, 'LOCK'), `${process.ppid} 1\n`); // alive, but not started at tick 1
    await (await open(dir)).close();
    assert.deepEqual(readdirSync(dir).sort(), ['position'], 'the lock is released on close');
  });
});
