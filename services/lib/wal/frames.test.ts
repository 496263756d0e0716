import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as frames from './frames.js';

test("frames - CRC-32 is zlib's, and continues over a second range from a first result", () => {
  const text = Buffer.from('123456789');
  assert.equal(frames.crc32(text), 0xcbf43926);
  assert.equal(frames.crc32(text, 4, 9, frames.crc32(text, 0, 4)), 0xcbf43926);
});

test('frames - a frame reads back as written; cut short it asks for its length, changed it is corrupt', () => {
  const target = Buffer.alloc(64);
  const end = frames.writeFrame(target, 'usér', Buffer.byteLength('usér'), Buffer.from([1, 2, 3]));
  assert.equal(end, frames.frameBytes(5, 3));
  const frame = frames.readFrame(target.subarray(0, end), 0);
  assert.ok(frame.kind === 'record');
  assert.deepEqual([frame.key.toString(), [...frame.value], frame.end], ['usér', [1, 2, 3], 20]);
  assert.deepEqual(frames.readFrame(target.subarray(0, 7), 0), { kind: 'short', needed: 12 });
  assert.deepEqual(frames.readFrame(target.subarray(0, end - 1), 0), { kind: 'short', needed: 20 });
  target[end - 1] = 4;
  assert.deepEqual(frames.readFrame(target.subarray(0, end), 0), { kind: 'corrupt' });
});

test('frames - the newest intact position slot wins; a torn newer slot leaves the older one', () => {
  const file = Buffer.alloc(frames.POSITION_FILE_BYTES);
  frames.encodePositionSlot(7, { segment: 3, offset: 100 }).copy(file, frames.positionSlotAt(7));
  frames.encodePositionSlot(8, { segment: 4, offset: 0 }).copy(file, frames.positionSlotAt(8));
  assert.deepEqual(frames.decodePosition(file), { sequence: 8, position: { segment: 4, offset: 0 } });
  file[frames.positionSlotAt(8) + 5] = 9;
  assert.deepEqual(frames.decodePosition(file), { sequence: 7, position: { segment: 3, offset: 100 } });
  assert.equal(frames.decodePosition(Buffer.alloc(frames.POSITION_FILE_BYTES)), null, 'a new file holds no position');
});
