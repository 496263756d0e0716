// When an alert starts and stops: a condition must hold for `raiseAfter` evaluations in a row to
// raise, and be clearly over — past the threshold by `clearMargin` the other way — for
// `clearAfter` evaluations in a row to clear. A value hovering at the threshold raises once and
// stays raised instead of flapping. An evaluation without a value (too little data) changes nothing.

export interface HysteresisOptions {
  /** Breaching evaluations in a row before raising. */
  readonly raiseAfter: number;
  /** Clearly healthy evaluations in a row before clearing. */
  readonly clearAfter: number;
  /** How far back past the threshold a value must be to count as healthy, relative (0.2 = 20 %). */
  readonly clearMargin: number;
}

export const hysteresisDefaults: HysteresisOptions = { raiseAfter: 2, clearAfter: 3, clearMargin: 0.2 };

export type AlertChange = 'raise' | 'clear' | null;

export class AlertCondition {
  private breaching = 0;
  private healthy = 0;
  private isRaised = false;

  constructor(
    readonly direction: 'above' | 'below',
    readonly threshold: number,
    private readonly options: HysteresisOptions = hysteresisDefaults,
  ) {}

  get raised(): boolean {
    return this.isRaised;
  }

  /** Continues an episode recorded before a restart. */
  restore(raised: boolean): void {
    this.isRaised = raised;
    this.breaching = 0;
    this.healthy = 0;
  }

  /** The value at which a raised alert counts as healthy again. */
  get clearLevel(): number {
    const m = this.options.clearMargin;
    return this.direction === 'above' ? this.threshold * (1 - m) : this.threshold * (1 + m);
  }

  evaluate(value: number | null): AlertChange {
    if (value === null || !Number.isFinite(value)) return null;
    const breach = this.direction === 'above' ? value > this.threshold : value < this.threshold;
    const clear = this.direction === 'above' ? value <= this.clearLevel : value >= this.clearLevel;
    this.breaching = breach ? this.breaching + 1 : 0;
    this.healthy = clear ? this.healthy + 1 : 0;
    if (!this.isRaised && this.breaching >= this.options.raiseAfter) {
      this.isRaised = true;
      this.healthy = 0;
      return 'raise';
    }
    if (this.isRaised && this.healthy >= this.options.clearAfter) {
      this.isRaised = false;
      this.breaching = 0;
      return 'clear';
    }
    return null;
  }
}
