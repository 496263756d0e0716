// Where a tick's scan of one kind of timer (window closes, forgets) starts.
//
// A tick handles what is due and deletes its timers, but RocksDB keeps each deletion as a tombstone
// until a compaction drops it, and a range scan from the start of the kind steps over every one;
// the timers of partitions another instance now holds are not deleted here at all. Scanned from
// the start every second, a busy joiner's ticks would grow with its history. So each tick starts
// past what the ticks before it got through, lowered to any timer written below that since.

export class TimerFloor {
  /** Below this time no timer is left for a tick, except those written since (lowestWritten). */
  private floor = 0;
  private lowestWritten = Number.POSITIVE_INFINITY;
  /** Bumped by reset: a tick that started before a reset must not raise the floor. */
  private generation = 0;
  private tickGeneration = -1;

  /** A timer for time `at` is in the store (noted once written, so that no tick can miss it). */
  written(at: number): void {
    if (at < this.lowestWritten) this.lowestWritten = at;
  }

  /** Where the tick starting now scans from; timers written from now on count for the next tick. */
  startTick(): number {
    this.floor = Math.min(this.floor, this.lowestWritten);
    this.lowestWritten = Number.POSITIVE_INFINITY;
    this.tickGeneration = this.generation;
    return this.floor;
  }

  /** The tick started last got through every timer due at `now` from where it started. */
  finishTick(now: number): void {
    if (this.tickGeneration === this.generation) this.floor = Math.max(this.floor, Math.floor(now) + 1);
  }

  /** The store changed under the ticks (an assignment was restored): the next tick scans from the start. */
  reset(): void {
    this.floor = 0;
    this.lowestWritten = Number.POSITIVE_INFINITY;
    this.generation++;
  }
}
