// The bytes of a segment log, pure: how a record is framed in a segment, and how the read position
// is stored. Every frame and position slot carries a CRC-32, so a record torn by a crash mid-append
// (or garbage a machine crash left past the last synced byte) is told from a record, never read as one.
//
// A frame:  u32 key length | u32 value length | u32 CRC-32 of bytes 0–8, the key and the value | key (UTF-8) | value
// Position: two 16-byte slots, written in turn (u32 sequence | u32 segment | u32 offset | u32 CRC-32 of
//           bytes 0–12), so that a torn slot write leaves the other slot, one acknowledgement older.

export const FRAME_HEADER_BYTES = 12;
export const POSITION_SLOT_BYTES = 16;
export const POSITION_FILE_BYTES = 2 * POSITION_SLOT_BYTES;

/** Where reading resumes: a byte offset in a numbered segment. */
export interface LogPosition {
  readonly segment: number;
  readonly offset: number;
}

const CRC_TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/** CRC-32 (IEEE, as zlib's) of bytes [start, end); `seed`, a previous result, continues it over a further range. */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length, seed = 0): number {
  let c = ~seed;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

export function frameBytes(keyBytes: number, valueBytes: number): number {
  return FRAME_HEADER_BYTES + keyBytes + valueBytes;
}

/** Writes the frame of (key, value) at the start of `target` (at least frameBytes long); returns its length. */
export function writeFrame(target: Buffer, key: string, keyBytes: number, value: Uint8Array): number {
  target.writeUInt32LE(keyBytes, 0);
  target.writeUInt32LE(value.length, 4);
  target.write(key, FRAME_HEADER_BYTES, keyBytes, 'utf8');
  target.set(value, FRAME_HEADER_BYTES + keyBytes);
  const end = frameBytes(keyBytes, value.length);
  target.writeUInt32LE(crc32(target, FRAME_HEADER_BYTES, end, crc32(target, 0, 8)), 8);
  return end;
}

export type FrameRead =
  | { readonly kind: 'record'; readonly key: Buffer; readonly value: Buffer; readonly end: number }
  /** `source` ends before the frame does: it needs `needed` bytes from `at` (the header's 12 when even that is cut). */
  | { readonly kind: 'short'; readonly needed: number }
  /** The frame's bytes do not match its CRC: torn or overwritten. */
  | { readonly kind: 'corrupt' };

/** The frame that starts at `at` in `source`; key and value are views of `source`, not copies. */
export function readFrame(source: Buffer, at: number): FrameRead {
  if (source.length - at < FRAME_HEADER_BYTES) return { kind: 'short', needed: FRAME_HEADER_BYTES };
  const keyBytes = source.readUInt32LE(at);
  const valueBytes = source.readUInt32LE(at + 4);
  const needed = frameBytes(keyBytes, valueBytes);
  if (source.length - at < needed) return { kind: 'short', needed };
  const keyStart = at + FRAME_HEADER_BYTES;
  const end = at + needed;
  if (crc32(source, keyStart, end, crc32(source, at, at + 8)) !== source.readUInt32LE(at + 8))
    return { kind: 'corrupt' };
  return {
    kind: 'record',
    key: source.subarray(keyStart, keyStart + keyBytes),
    value: source.subarray(keyStart + keyBytes, end),
    end,
  };
}

/** The slot that records `position` as the `sequence`-th write; it goes at byte positionSlotAt(sequence). */
export function encodePositionSlot(sequence: number, position: LogPosition): Buffer {
  const slot = Buffer.alloc(POSITION_SLOT_BYTES);
  slot.writeUInt32LE(sequence >>> 0, 0);
  slot.writeUInt32LE(position.segment, 4);
  slot.writeUInt32LE(position.offset, 8);
  slot.writeUInt32LE(crc32(slot, 0, 12), 12);
  return slot;
}

export function positionSlotAt(sequence: number): number {
  return (sequence % 2) * POSITION_SLOT_BYTES;
}

/** The newest intact slot of a position file's bytes, or null when neither is (a new or damaged file). */
export function decodePosition(file: Buffer): { sequence: number; position: LogPosition } | null {
  let best: { sequence: number; position: LogPosition } | null = null;
  for (let at = 0; at + POSITION_SLOT_BYTES <= Math.min(file.length, POSITION_FILE_BYTES); at += POSITION_SLOT_BYTES) {
    if (crc32(file, at, at + 12) !== file.readUInt32LE(at + 12)) continue;
    const sequence = file.readUInt32LE(at);
    if (best !== null && sequence <= best.sequence) continue;
    best = { sequence, position: { segment: file.readUInt32LE(at + 4), offset: file.readUInt32LE(at + 8) } };
  }
  return best;
}

/** Negative when a is before b, 0 when equal, positive after. */
export function comparePositions(a: LogPosition, b: LogPosition): number {
  return a.segment - b.segment || a.offset - b.offset;
}
