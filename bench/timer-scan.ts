// What a joiner tick's scan of its close timers costs, from the start of the timers and from the
// floor the ticks before it reached (TimerFloor), in a RocksDB of its own: deleted timers that no
// compaction has dropped yet, and due timers of partitions another instance now holds. No stack.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRocksStore, scanPages, type KeyValueStore } from '../services/lib/store/rocks.js';
import { closeRange, joinerKeys, TimerFloor } from '../services/lib/joiner/index.js';

export interface TimerScanFigures {
  /** Timers in the case: deleted ones, or due ones of partitions held elsewhere. */
  readonly timers: number;
  readonly fromStartMs: number;
  readonly fromFloorMs: number;
}

const CHUNK = 2000;
const WRITE_BATCH = 5000;
const BASE_TIME = 1_750_000_000_000;

/** A tick's pass over the due close timers from `from`, a chunk at a time as the joiner takes them. */
async function passMs(store: KeyValueStore, now: number, from: number): Promise<number> {
  const started = performance.now();
  for await (const page of scanPages(store, closeRange(now, from), CHUNK)) void page;
  return performance.now() - started;
}

async function writeTimers(store: KeyValueStore, count: number, thenDelete: boolean): Promise<void> {
  for (let i = 0; i < count; i += WRITE_BATCH) {
    const keys = Array.from({ length: Math.min(WRITE_BATCH, count - i) }, (_, j) =>
      joinerKeys.close(BASE_TIME + i + j, `d-${i + j}`),
    );
    await store.write({ put: keys.map((k) => [k, Buffer.alloc(0)] as [string, Buffer]), del: [] });
    if (thenDelete) await store.write({ put: [], del: keys });
  }
}

/** Median of three passes from the start, and of three from the floor one finished tick leaves. */
async function measure(count: number, deleted: boolean): Promise<TimerScanFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'looper-timer-scan-'));
  const store = await openRocksStore(dir);
  try {
    await writeTimers(store, count, deleted);
    const now = BASE_TIME + count;
    const floor = new TimerFloor();
    floor.startTick();
    floor.finishTick(now);
    const median = async (from: number) => {
      const runs = [await passMs(store, now, from), await passMs(store, now, from), await passMs(store, now, from)];
      return runs.sort((a, b) => a - b)[1]!;
    };
    return { timers: count, fromStartMs: await median(0), fromFloorMs: await median(floor.startTick()) };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchTimerScans(): Promise<{ deleted: TimerScanFigures; heldElsewhere: TimerScanFigures }> {
  return { deleted: await measure(500_000, true), heldElsewhere: await measure(100_000, false) };
}
