// The files of a segment log's folder: numbered segments (0000000001.log, …) and the position file,
// whose two slots are written in turn and synced before a write resolves (frames.ts).
import { readdirSync, statSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { decodePosition, encodePositionSlot, POSITION_FILE_BYTES, positionSlotAt, type LogPosition } from './frames.js';

const SEGMENT_FILE = /^(\d{10})\.log$/;

export const segmentFile = (n: number): string => `${String(n).padStart(10, '0')}.log`;

/** The segments in `dir`, oldest first, with their sizes on disk. */
export function listSegments(dir: string): Array<{ number: number; size: number }> {
  return readdirSync(dir)
    .flatMap((name) => {
      const m = SEGMENT_FILE.exec(name);
      return m ? [{ number: Number(m[1]), size: statSync(join(dir, name)).size }] : [];
    })
    .sort((a, b) => a.number - b.number);
}

export class PositionFile {
  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    private sequence: number,
    /** The position read at open; null for a new file, or a damaged one (`damaged`). */
    readonly stored: LogPosition | null,
    readonly damaged: boolean,
  ) {}

  static async open(dir: string): Promise<PositionFile> {
    const path = join(dir, 'position');
    await (await open(path, 'a')).close(); // created when missing, left as it is otherwise
    const handle = await open(path, 'r+');
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(POSITION_FILE_BYTES), 0, POSITION_FILE_BYTES, 0);
    const found = decodePosition(buffer.subarray(0, bytesRead));
    // Both slots are written now, while the disk has room: a position written later overwrites bytes
    // the file already holds, and needs none. A log that drains while the disk is full (the reason
    // it has grown) must record its position, or it never frees a segment (wal-disk-full.test.ts).
    if (bytesRead < POSITION_FILE_BYTES && (found !== null || bytesRead === 0)) {
      const slot = encodePositionSlot(found?.sequence ?? 0, found?.position ?? { segment: 0, offset: 0 });
      const whole = Buffer.concat([slot, slot]);
      // A disk already full now: the file stays as it was, and a later write may find room (a torn slot fails its CRC).
      await handle
        .write(whole, bytesRead, POSITION_FILE_BYTES - bytesRead, bytesRead)
        .then(() => handle.datasync())
        .catch(() => undefined);
    }
    return new PositionFile(
      path,
      handle,
      found?.sequence ?? 0,
      found?.position ?? null,
      found === null && bytesRead > 0,
    );
  }

  /** Writes `position` over the older slot and syncs it: on disk once this resolves. */
  async write(position: LogPosition): Promise<void> {
    const sequence = this.sequence + 1;
    await this.handle.write(encodePositionSlot(sequence, position), 0, undefined, positionSlotAt(sequence));
    await this.handle.datasync();
    this.sequence = sequence;
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

/** fsyncs the folder itself, so that a segment created in it is still there after a machine crash. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
