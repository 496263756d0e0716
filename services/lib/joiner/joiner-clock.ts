// The joiner's clock: the event time up to which it has read every input it holds, so that a label
// window closes only once every outcome that could fall in it has been read (join.ts). Pure: the
// service tells it what each batch and each assignment showed, and the wall time.
//
// Once an input partition is caught up, its records are a moment old: the clock runs a grace behind
// the wall clock. A partition behind its end holds the clock at the time of the last record read.
// A partition assigned with a backlog holds it still before its first batch, whose first record's
// time is not known until it is read: run at the wall clock, a joiner that re-subscribed mid
// catch-up closed windows whose outcomes sat unread in that backlog and labelled clicked decisions
// 0 (a ranking test: item-32 clicked, its example labelled 0). A backlog that never comes as a batch
// (only a transaction's markers left, say) holds the clock no longer than UNREAD_HOLD_MS.

/** How far behind the wall clock the clock runs once every input is caught up. */
export const CLOCK_GRACE_MS = 2000;
/** How long an assigned partition with a backlog may hold the clock before it delivers a batch. */
export const UNREAD_HOLD_MS = 60_000;

export class JoinerClock {
  /** Partitions ("topic/partition") behind their end, at the time of the last record read. */
  private readonly lagging = new Map<string, number>();
  /** Partitions assigned with a backlog that delivered no batch yet, and since when. */
  private readonly unread = new Map<string, number>();

  /** A new assignment: `behind` are its partitions with records not yet read. */
  assigned(behind: readonly string[], now: number): void {
    // Lag of partitions given away would hold the clock back for good; the next batches refill it.
    this.lagging.clear();
    this.unread.clear();
    for (const key of behind) this.unread.set(key, now);
  }

  /** A batch of `key` was read up to a record at `lastTs`; `caughtUp` when it reached the partition's end. */
  read(key: string, lastTs: number, caughtUp: boolean): void {
    this.unread.delete(key);
    if (caughtUp) this.lagging.delete(key);
    else this.lagging.set(key, lastTs);
  }

  /** The clock at wall time `now`: 0 while an assigned backlog is unread. */
  at(now: number): number {
    for (const [key, since] of this.unread) if (now - since > UNREAD_HOLD_MS) this.unread.delete(key);
    if (this.unread.size > 0) return 0;
    let clock = now - CLOCK_GRACE_MS;
    for (const ts of this.lagging.values()) if (ts < clock) clock = ts;
    return clock;
  }
}
