// The recent past of a stream, bounded twice: at most `capacity` items kept, none older than
// `maxAgeMs` when read. Monitoring reads it once per tick, so the per-item cost is one write.
// Reads pick the newest by timestamp, not by arrival: a replay after a restart delivers a topic's
// partitions in coarse interleaved batches, not in time order.

export class Recent<T> {
  private readonly items: (T | undefined)[];
  private readonly times: Float64Array;
  private next = 0;
  private size = 0;

  constructor(
    readonly capacity: number,
    readonly maxAgeMs: number,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.items = new Array<T | undefined>(capacity);
    this.times = new Float64Array(capacity);
  }

  add(ts: number, item: T): void {
    this.items[this.next] = item;
    this.times[this.next] = ts;
    this.next = (this.next + 1) % this.capacity;
    this.size = Math.min(this.size + 1, this.capacity);
  }

  /** The newest `limit` items (all by default) no older than maxAgeMs at `now`, oldest first. */
  since(now: number, limit = this.capacity): T[] {
    const from = now - this.maxAgeMs;
    const kept: number[] = [];
    for (let i = 0; i < this.size; i++) if (this.times[i]! >= from) kept.push(i);
    kept.sort((a, b) => this.times[a]! - this.times[b]! || this.order(a) - this.order(b));
    return kept.slice(Math.max(0, kept.length - limit)).map((i) => this.items[i] as T);
  }

  /** Arrival rank of slot i, so that items with equal timestamps keep their arrival order. */
  private order(i: number): number {
    return (i - this.next + this.capacity) % this.capacity;
  }
}

/** Events per second over the last `windowMs`, from per-second counts keyed by event time. */
export class EventRate {
  private readonly counts: Float64Array;
  private readonly seconds: Float64Array;

  constructor(readonly windowMs = 60_000) {
    const slots = Math.ceil(windowMs / 1000);
    this.counts = new Float64Array(slots);
    this.seconds = new Float64Array(slots).fill(-1);
  }

  add(ts: number, count = 1): void {
    const second = Math.floor(ts / 1000);
    const slot = second % this.counts.length;
    if (this.seconds[slot] !== second) {
      if (this.seconds[slot]! > second) return; // older than the window
      this.seconds[slot] = second;
      this.counts[slot] = 0;
    }
    this.counts[slot] = this.counts[slot]! + count;
  }

  /** Mean events per second over the window ending at `now` (whole seconds, the current one included). */
  perSecond(now: number): number {
    const last = Math.floor(now / 1000);
    const first = last - this.counts.length + 1;
    let total = 0;
    for (let slot = 0; slot < this.counts.length; slot++) {
      const s = this.seconds[slot]!;
      if (s >= first && s <= last) total += this.counts[slot]!;
    }
    return total / this.counts.length;
  }
}

/** Nearest-rank quantile (q in 0..1) of unsorted values; NaN when there are none. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
