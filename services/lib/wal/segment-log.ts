// A write-ahead log of keyed records on local disk: append-only segment files of framed records
// (frames.ts), read back in order a chunk at a time, with a persisted read position that the caller
// advances once a chunk is delivered. A segment wholly before the position is deleted, and once
// every record is acknowledged no segment is left at all. One process owns the folder (dir-lock.ts).
//
// Durability. An append is one write(2) to the page cache before append() returns, so a process
// crash loses nothing appended. Appends are fdatasync'ed at most `syncEveryMs` later (in libuv's
// thread pool: the event loop never waits for the disk), a segment when it is closed, and the folder
// when a segment was created; so a machine crash (power, kernel) loses at most the appends of the
// last `syncEveryMs`, and a frame it tore is skipped with a log line when read. The position is
// written and fdatasync'ed before acknowledge() resolves, so after any crash at most the chunk
// acknowledged last is read again.
//
// Appends are synchronous (a record is in the kernel's hands before append() returns); reads, the
// position and deletions are asynchronous.
import { closeSync, fdatasync, ftruncateSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { errorMessage } from '../errors.js';
import { lockDir, type DirLock } from './dir-lock.js';
import { LogOpenError } from './errors.js';
import { comparePositions, frameBytes, readFrame, writeFrame, type LogPosition } from './frames.js';
import { listSegments, PositionFile, segmentFile, syncDir } from './log-files.js';

export type { LogPosition } from './frames.js';

export interface SegmentLogOptions {
  /** The folder the log owns; created when missing. */
  readonly dir: string;
  /** Bytes all segments may take together; an append past it is refused ('full'). */
  readonly maxBytes: number;
  /** A segment is closed and the next begun before it passes this; by default an eighth of maxBytes, within 64 KiB–16 MiB. */
  readonly segmentBytes?: number;
  /** Longest an append waits for its fdatasync (ms). */
  readonly syncEveryMs?: number;
  /** What LogDirLockedError tells the operator to do when another live process holds `dir`. */
  readonly lockHint: string;
  readonly log: (line: string) => void;
}

/** Why an append was refused: past maxBytes, or the disk refused the write (lastWriteError says how). */
export type AppendRefusal = 'full' | 'write_failed';

export interface LogChunk {
  readonly records: ReadonlyArray<{ readonly key: Buffer; readonly value: Buffer }>;
  /** Where the next chunk starts: acknowledge it once the records are delivered (it may move past torn bytes with no records). */
  readonly end: LogPosition;
}

interface Segment {
  readonly number: number;
  /** Bytes of whole frames (for a segment left by an earlier process: its file size, a torn tail included). */
  size: number;
}

interface Writer {
  readonly segment: Segment;
  readonly fd: number;
  /** fdatasyncs and the close, one after another, never overlapping a close. */
  tail: Promise<void>;
}

const datasyncFd = promisify(fdatasync);

export function defaultSegmentBytes(maxBytes: number): number {
  return Math.min(16 * 1024 * 1024, Math.max(64 * 1024, Math.floor(maxBytes / 8)));
}

export class SegmentLog {
  private writer: Writer | null = null;
  private reader: { number: number; handle: FileHandle } | null = null;
  private scratch = Buffer.allocUnsafe(64 * 1024);
  private syncTimer: NodeJS.Timeout | null = null;
  private dirDirty = false;
  private readonly tornLogged = new Set<number>();
  private readonly closing = new Set<Promise<void>>();
  private writeError = '';

  private onDisk: number;
  private nextNumber: number;

  private constructor(
    readonly dir: string,
    private readonly options: Required<Omit<SegmentLogOptions, 'dir' | 'lockHint'>>,
    private readonly lock: DirLock,
    private readonly positionFile: PositionFile,
    private readonly segments: Segment[],
    private position: LogPosition,
  ) {
    this.onDisk = segments.reduce((sum, s) => sum + s.size, 0);
    this.nextNumber = Math.max(segments.at(-1)?.number ?? 0, position.segment) + 1;
  }

  static async open(options: SegmentLogOptions): Promise<SegmentLog> {
    const { dir, log, maxBytes } = options;
    try {
      mkdirSync(dir, { recursive: true });
    } catch (error) {
      throw new LogOpenError(dir, error);
    }
    const lock = lockDir(dir, options.lockHint);
    try {
      const positionFile = await PositionFile.open(dir);
      if (positionFile.damaged)
        log(`${positionFile.path} is damaged: reading from the oldest segment (records sent already are sent again)`);
      let position = positionFile.stored ?? { segment: 0, offset: 0 };
      const segments = listSegments(dir);
      // Segments wholly before the position were drained; their deletion was cut short or undone by a crash.
      while (segments[0] && segments[0].number < position.segment)
        await unlink(join(dir, segmentFile(segments.shift()!.number)));
      const head = segments[0];
      if (head && head.number === position.segment && position.offset > head.size) {
        log(
          `${segmentFile(head.number)} ends at byte ${head.size}, before the read position ${position.offset} (a machine crash lost its unsynced tail after it was sent): reading on from the next segment`,
        );
        position = { segment: head.number, offset: head.size };
      }
      const segmentBytes = options.segmentBytes ?? defaultSegmentBytes(maxBytes);
      const syncEveryMs = options.syncEveryMs ?? 1000;
      return new SegmentLog(dir, { maxBytes, segmentBytes, syncEveryMs, log }, lock, positionFile, segments, position);
    } catch (error) {
      lock.release();
      throw error instanceof LogOpenError ? error : new LogOpenError(dir, error);
    }
  }

  /** Bytes the segments take on disk (acknowledged records of a segment not yet deleted included). */
  bytes(): number {
    return this.onDisk;
  }

  /** Bytes of records not acknowledged yet. */
  pendingBytes(): number {
    let pending = 0;
    for (const s of this.segments) {
      if (s.number > this.position.segment) pending += s.size;
      else if (s.number === this.position.segment) pending += Math.max(0, s.size - this.position.offset);
    }
    return pending;
  }

  /** True when every record appended is acknowledged (then no segment is left on disk). */
  caughtUp(): boolean {
    return comparePositions(this.position, this.end()) >= 0;
  }

  /** The position just past the last record appended: acknowledging it acknowledges them all. */
  end(): LogPosition {
    const last = this.segments.at(-1);
    return last ? { segment: last.number, offset: last.size } : this.position;
  }

  /** The error of the last 'write_failed' refusal. */
  lastWriteError(): string {
    return this.writeError;
  }

  /** Appends one record, in order after every earlier one; null when it is written, else why not. */
  append(key: string, value: Uint8Array): AppendRefusal | null {
    const keyBytes = Buffer.byteLength(key);
    const size = frameBytes(keyBytes, value.length);
    if (this.onDisk + size > this.options.maxBytes) return 'full';
    let writer: Writer | null = null;
    try {
      writer = this.writerFor(size);
      if (this.scratch.length < size) this.scratch = Buffer.allocUnsafe(Math.max(size, 2 * this.scratch.length));
      writeFrame(this.scratch, key, keyBytes, value);
      for (let done = 0; done < size;)
        done += writeSync(writer.fd, this.scratch, done, size - done, writer.segment.size + done);
    } catch (error) {
      this.writeError = errorMessage(error);
      if (writer) this.dropPartialFrame(writer);
      return 'write_failed';
    }
    writer.segment.size += size;
    this.onDisk += size;
    this.syncTimer ??= setTimeout(() => void this.sync(), this.options.syncEveryMs).unref();
    return null;
  }

  /**
   * Up to `maxRecords` records and about `maxBytes` (a single larger record alone) from the read
   * position, without moving it: until acknowledged, the same chunk is read again.
   */
  async read(maxRecords: number, maxBytes: number): Promise<LogChunk> {
    let index = this.segments.findIndex((s) => s.number >= this.position.segment);
    if (index < 0) return { records: [], end: this.position };
    let offset = this.segments[index]!.number === this.position.segment ? this.position.offset : 0;
    while (offset >= this.segments[index]!.size && index + 1 < this.segments.length) [index, offset] = [index + 1, 0];
    const segment = this.segments[index]!;
    const records: Array<{ key: Buffer; value: Buffer }> = [];
    let bytes = await this.readAt(segment, offset, Math.min(maxBytes, segment.size - offset));
    let at = 0;
    let widened = false;
    while (records.length < maxRecords && at < bytes.length) {
      const frame = readFrame(bytes, at);
      const fits = frame.kind === 'short' && offset + at + frame.needed <= segment.size;
      if (fits && records.length > 0) break;
      if (fits && !widened) {
        // A record larger than the chunk: read it alone (a file shorter than it then reads as torn).
        widened = true;
        bytes = await this.readAt(segment, offset, frame.needed);
        continue;
      }
      if (frame.kind !== 'record') {
        this.reportTorn(segment, offset + at);
        return { records, end: { segment: segment.number, offset: segment.size } };
      }
      records.push({ key: frame.key, value: frame.value });
      at = frame.end;
    }
    if (records.length === 0 && offset < segment.size) {
      // Nothing read where the segment should hold bytes: its file is shorter than it was.
      this.reportTorn(segment, offset);
      return { records, end: { segment: segment.number, offset: segment.size } };
    }
    return { records, end: { segment: segment.number, offset: offset + at } };
  }

  /**
   * Records everything before `end` as delivered: the position is written and synced, segments
   * wholly before it are deleted, and when nothing is left unacknowledged, all of them. One call at a time.
   */
  async acknowledge(end: LogPosition): Promise<void> {
    if (comparePositions(end, this.position) <= 0) return;
    await this.positionFile.write(end);
    this.position = end;
    // Checked in the same turn as the deletion, so an append cannot slip between them.
    const drained = this.caughtUp();
    for (let head = this.segments[0]; head && (drained || this.readPast(head)); head = this.segments[0])
      this.remove(this.segments.shift()!);
  }

  /** True when the position is past every record of `segment`, and appends go to a later one. */
  private readPast(segment: Segment): boolean {
    const { segment: number, offset } = this.position;
    return (
      segment.number < number ||
      (segment.number === number && offset >= segment.size && segment !== this.segments.at(-1))
    );
  }

  /** Syncs every append so far to disk. */
  async sync(): Promise<void> {
    if (this.syncTimer) clearTimeout(this.syncTimer);
    this.syncTimer = null;
    const writer = this.writer;
    if (writer) await (writer.tail = writer.tail.then(() => this.datasync(writer)));
    await Promise.all(this.closing);
    if (this.dirDirty) {
      this.dirDirty = false;
      await syncDir(this.dir).catch((error) =>
        this.options.log(`cannot sync the folder ${this.dir}: ${errorMessage(error)}`),
      );
    }
  }

  /** Syncs and closes the files and releases the folder. */
  async close(): Promise<void> {
    await this.sync();
    if (this.writer) this.retireWriter(this.writer, true);
    await Promise.all(this.closing);
    await this.reader?.handle.close();
    this.reader = null;
    await this.positionFile.close();
    this.lock.release();
  }

  private writerFor(size: number): Writer {
    const current = this.writer;
    if (current && (current.segment.size === 0 || current.segment.size + size <= this.options.segmentBytes))
      return current;
    if (current) this.retireWriter(current, true);
    const segment = { number: this.nextNumber++, size: 0 };
    const fd = openSync(join(this.dir, segmentFile(segment.number)), 'wx');
    this.segments.push(segment);
    this.dirDirty = true;
    return (this.writer = { segment, fd, tail: Promise.resolve() });
  }

  /** A write that failed midway leaves part of a frame: cut it off, or else write no more to this segment. */
  private dropPartialFrame(writer: Writer): void {
    try {
      ftruncateSync(writer.fd, writer.segment.size);
    } catch {
      this.retireWriter(writer, true);
    }
  }

  /** No more appends go to `writer`'s segment: its fd is synced (when `sync`) and closed after what is queued on it. */
  private retireWriter(writer: Writer, sync: boolean): void {
    if (this.writer === writer) this.writer = null;
    const closed = writer.tail
      .then(() => (sync ? this.datasync(writer) : undefined))
      .then(() => closeSync(writer.fd))
      .catch((error) => this.options.log(`cannot close ${segmentFile(writer.segment.number)}: ${errorMessage(error)}`));
    this.closing.add(closed);
    void closed.then(() => this.closing.delete(closed));
    writer.tail = closed;
  }

  private async datasync(writer: Writer): Promise<void> {
    try {
      await datasyncFd(writer.fd);
    } catch (error) {
      this.options.log(`cannot sync ${segmentFile(writer.segment.number)}: ${errorMessage(error)}`);
    }
  }

  /** Deletes an acknowledged segment (after its writer, if any, is closed). */
  private remove(segment: Segment): void {
    this.onDisk -= segment.size;
    const writer = this.writer?.segment === segment ? this.writer : null;
    if (writer) this.retireWriter(writer, false);
    const reader = this.reader?.number === segment.number ? this.reader : null;
    if (reader) this.reader = null;
    const path = join(this.dir, segmentFile(segment.number));
    void Promise.all([writer?.tail, reader?.handle.close()])
      .then(() => unlink(path))
      .catch((error) => this.options.log(`cannot delete ${path}: ${errorMessage(error)}`));
  }

  private async readAt(segment: Segment, offset: number, length: number): Promise<Buffer> {
    if (this.reader?.number !== segment.number) {
      await this.reader?.handle.close();
      this.reader = { number: segment.number, handle: await open(join(this.dir, segmentFile(segment.number)), 'r') };
    }
    const bytes = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await this.reader.handle.read(bytes, done, length - done, offset + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return bytes.subarray(0, done);
  }

  private reportTorn(segment: Segment, at: number): void {
    if (this.tornLogged.has(segment.number)) return;
    this.tornLogged.add(segment.number);
    this.options.log(
      `${segmentFile(segment.number)} holds a torn record at byte ${at} (a crash mid-append, or a machine crash before it was synced): skipped the ${segment.size - at} bytes from there to its end`,
    );
  }
}
