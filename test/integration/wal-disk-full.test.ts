// The decision log's write-ahead log on a disk that fills up (issue #22): a real file system with no
// room left, a tmpfs of 256 KiB mounted for the test, so that the kernel itself answers ENOSPC. The
// bound (LOOPER_DECISION_LOG_MAX_BYTES) is far above it: the disk, not the bound, refuses. What must
// hold: every append refused is refused whole (no torn record for the reader), every append taken
// is read back intact and in order, the log drains — acknowledging, which writes the position file
// — while the disk is still full, and once drained it takes appends again. Mounting needs root;
// without it the test is skipped and says so.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SegmentLog } from '../../services/lib/wal/segment-log.js';

const DISK_BYTES = 256 * 1024;
const RECORD_BYTES = 1000;

const mountPoint = mkdtempSync(join(tmpdir(), 'looper-wal-full-'));
const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${DISK_BYTES}`, 'looper-wal-full', mountPoint], {
  encoding: 'utf8',
});
const cannotMount =
  mounted.status === 0
    ? null
    : `cannot mount a tmpfs (${(mounted.stderr || mounted.error?.message || '').trim()}): needs root`;

/** Record i: its key and a value whose every byte says i, so that a torn or mixed record shows. */
const record = (i: number) => ({ key: `entity-${i}`, value: new Uint8Array(RECORD_BYTES).fill(i % 251) });

describe('the write-ahead log on a full disk', { skip: cannotMount ?? false }, () => {
  const dir = join(mountPoint, 'decisions');
  const lines: string[] = [];
  let log: SegmentLog;

  before(async () => {
    log = await SegmentLog.open({
      dir,
      maxBytes: 1024 * 1024 * 1024,
      segmentBytes: 64 * 1024,
      syncEveryMs: 10,
      lockHint: 'one at a time',
      log: (line) => lines.push(line),
    });
  });

  after(async () => {
    await log?.close().catch(() => undefined);
    spawnSync('umount', [mountPoint]);
    rmSync(mountPoint, { recursive: true, force: true });
  });

  it('wal disk full - the kernel refuses with ENOSPC: refused appends leave nothing, taken ones read back intact, and it drains and takes appends again', async () => {
    // Fill the disk.
    let taken = 0;
    let refusal: string | null = null;
    for (let i = 0; i < 10 * (DISK_BYTES / RECORD_BYTES) && refusal === null; i++) {
      const { key, value } = record(i);
      refusal = log.append(key, value);
      if (refusal === null) taken++;
    }
    assert.equal(refusal, 'write_failed', 'the disk, not the bound, refuses');
    assert.match(log.lastWriteError(), /ENOSPC/);
    // More appends on the full disk: each refused, none leaving a partial frame behind.
    for (let i = taken; i < taken + 20; i++) {
      const { key, value } = record(i);
      assert.equal(log.append(key, value), 'write_failed');
    }
    await log.sync();
    console.log(`# ${taken} records of ${RECORD_BYTES} bytes taken on a ${DISK_BYTES / 1024} KiB disk before ENOSPC`);
    assert.ok(taken > 100, `most of the disk was used (${taken} records)`);

    // Drain while the disk is still full: read, then acknowledge, a chunk at a time, as the decision log does.
    const drained: Array<{ key: string; value: Buffer }> = [];
    for (;;) {
      const chunk = await log.read(50, 64 * 1024);
      if (chunk.records.length === 0) break;
      for (const r of chunk.records) drained.push({ key: r.key.toString(), value: r.value });
      await log.acknowledge(chunk.end);
    }
    assert.equal(drained.length, taken, 'every record taken is read once');
    drained.forEach((r, i) => {
      assert.equal(r.key, record(i).key, `record ${i} in order`);
      assert.ok(Buffer.from(record(i).value).equals(r.value), `record ${i} intact`);
    });
    assert.ok(log.caughtUp());
    assert.deepEqual(
      lines.filter((line) => /torn|damaged/.test(line)),
      [],
      'no torn record: a refused append left nothing',
    );

    // Drained, the disk has room again.
    for (let i = 0; i < 50; i++)
      assert.equal(log.append(record(i).key, record(i).value), null, `append ${i} after the drain`);
    await log.close();
    log = await SegmentLog.open({
      dir,
      maxBytes: 1024 * 1024 * 1024,
      segmentBytes: 64 * 1024,
      lockHint: 'one at a time',
      log: (line) => lines.push(line),
    });
    let reread = 0;
    for (;;) {
      const chunk = await log.read(50, 64 * 1024);
      if (chunk.records.length === 0) break;
      reread += chunk.records.length;
      await log.acknowledge(chunk.end);
    }
    assert.equal(reread, 50, 'the appends after the drain survive a reopen');
  });
});
