// A line that may recur thousands of times a second (a decision not logged, a send refused) is
// written at most once per period, with how many times it happened since the last one written; the
// metrics count every occurrence. Pure: the caller passes the time.

export class LineThrottle {
  private lastAt = Number.NEGATIVE_INFINITY;
  private held = 0;

  constructor(private readonly everyMs: number) {}

  /**
   * Notes `count` occurrences at `now` (ms). Returns how many the line should report — these and
   * those held back since the last line — or 0 while the period since the last line runs.
   */
  note(now: number, count = 1): number {
    this.held += count;
    if (now - this.lastAt < this.everyMs) return 0;
    this.lastAt = now;
    const reported = this.held;
    this.held = 0;
    return reported;
  }
}
