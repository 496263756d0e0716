// A sequential detector of a shift in the mean of a stream of per-example values (a loss, a
// reward), pure. It answers "has the mean moved away from what it was?", judged after every block
// of examples, with a false-alarm rate per unit of traffic fixed by its design rather than a
// probability over a test of fixed length: it runs for as long as the stream does, so any fixed
// α would be spent eventually. Its operating figures are measured by
// change-detector-calibration.test.ts.
//
// Method: a two-sided tabular CUSUM (Page, "Continuous inspection schemes", Biometrika 41, 1954;
// Montgomery, "Introduction to Statistical Quality Control", §9.1) on standardised means of blocks
// of B examples:
//
//   z_j = (ȳ_j − m_{j−1}) / (s_{j−1} · √(1 + 1/n_{j−1}))
//   U_j = max(0, U_{j−1} + z_j − k)      (the mean went up)
//   D_j = max(0, D_{j−1} − z_j − k)      (the mean went down)
//
// and an alarm when U or D passes h. Page's estimate of where the change began is the last block
// after which that side's statistic stood at 0; the alarm reports the mean from there on.
//
// - Blocks: a per-example loss or reward is far from normal (a 5 % reward is 0 or 1), the mean of
//   B of them much less so. B is chosen from a pilot of the first PILOT_EXAMPLES values so that a
//   block mean's skewness is at most `blockSkewness` (B ≥ (γ / blockSkewness)², γ the pilot's
//   skewness), between `minBlock` and `maxBlock`: rarer outcomes get longer blocks.
// - Self-starting (Hawkins, "Self-starting CUSUM charts for location and scale", The Statistician
//   36, 1987): each block is standardised by the blocks before it (m, n), never by a reference of
//   fixed size. A CUSUM standardised by parameters estimated once from a short reference raises
//   false alarms several times as often as its design says (Jones, Champ & Rigdon, "The run length
//   distribution of the CUSUM with estimated parameters", J. Quality Technology 36, 2004); these
//   recursive residuals are independent for normal data, so the run length is close to that of
//   known parameters. The first `warmupBlocks` blocks only build the reference.
// - A change under way is not learned as normal: a block joins the reference only when both
//   statistics stood at most at `freezeAbove` before it. The rule reads the past only, so it does
//   not bias the reference on a stationary stream.
// - s² is the larger of the per-example variance over B and the variance of the block means: the
//   first is precise when examples are independent, the second catches bursts of dependent ones
//   (one entity's examples, a base rate moving within the hour).
// - z is winsorised at ±`winsorize` (Lucas & Crosier, "Robust CUSUM", Commun. Statist. 11, 1982):
//   one block with an outlier (a huge squared error) adds at most winsorize − k to a statistic,
//   so no single block raises an alarm.
//
// After an alarm the detector starts afresh: a new pilot and reference from the next value on.
import { LooperError } from '../errors.js';

/** The values a detector is judged by, fixed when it starts. */
export interface ChangeDetectorDesign {
  /** The allowance k, in standard errors of a block mean: the shift the CUSUM is tuned for is 2k. */
  readonly allowance: number;
  /** The threshold h, in standard errors of a block mean: sets the false-alarm rate. */
  readonly threshold: number;
  /** Blocks that only build the reference before the first look. */
  readonly warmupBlocks: number;
  /** The most skewness a block mean may keep; sets the block size from the pilot. */
  readonly blockSkewness: number;
  readonly minBlock: number;
  readonly maxBlock: number;
  /** A standardised block mean counts as at most this far from the reference. */
  readonly winsorize: number;
  /** A block does not join the reference while either statistic stands above this. */
  readonly freezeAbove: number;
}

/** Values read to choose the block size, and again as the first blocks of the reference. */
export const PILOT_EXAMPLES = 1000;

/**
 * The default: tuned for a shift of one standard error of a block mean (k = 0.5), with h = 8 —
 * for known parameters and normal blocks a two-sided average run length of about 9,550 blocks
 * (Siegmund's approximation), at least 955,000 examples at 100 per block. Measured on simulated
 * stationary streams it raises well under FALSE_ALARM_BOUND_PER_100K.
 */
export const CHANGE_DETECTOR_DESIGN: ChangeDetectorDesign = {
  allowance: 0.5,
  threshold: 8,
  warmupBlocks: 10,
  blockSkewness: 0.5,
  minBlock: 100,
  maxBlock: 2000,
  winsorize: 4,
  freezeAbove: 4,
};

/** The documented bound: fewer false alarms (both directions) than this per 100,000 examples of a stationary stream. */
export const FALSE_ALARM_BOUND_PER_100K = 1;

/** A detector design whose values cannot work. */
export class ChangeDetectorDesignError extends LooperError {
  constructor(readonly problem: string) {
    super('invalid_change_detector_design', `change detector design: ${problem}`);
    this.name = 'ChangeDetectorDesignError';
  }
}

export function checkDesign(d: ChangeDetectorDesign): ChangeDetectorDesign {
  const positive = (name: keyof ChangeDetectorDesign) => {
    if (!(Number.isFinite(d[name]) && d[name] > 0))
      throw new ChangeDetectorDesignError(`${name} must be a number > 0, got ${d[name]}`);
  };
  for (const name of ['allowance', 'threshold', 'blockSkewness', 'winsorize', 'freezeAbove'] as const) positive(name);
  for (const name of ['warmupBlocks', 'minBlock', 'maxBlock'] as const)
    if (!(Number.isInteger(d[name]) && d[name] >= 2))
      throw new ChangeDetectorDesignError(`${name} must be a whole number ≥ 2, got ${d[name]}`);
  if (d.maxBlock < d.minBlock)
    throw new ChangeDetectorDesignError(`maxBlock (${d.maxBlock}) must be at least minBlock (${d.minBlock})`);
  if (d.winsorize <= d.allowance)
    throw new ChangeDetectorDesignError(
      `winsorize (${d.winsorize}) must exceed allowance (${d.allowance}), or a shift could never accumulate`,
    );
  return d;
}

/** The mean of some examples. */
export interface MeanOver {
  readonly mean: number;
  readonly examples: number;
}

export type ShiftSide = 'up' | 'down';

export interface ChangeAlarm {
  /** Which way the mean moved. */
  readonly side: ShiftSide;
  /** The reference: every block it was built from, before the change. */
  readonly before: MeanOver;
  /** The blocks since Page's estimate of the change point, up to the one that alarmed. */
  readonly since: MeanOver;
  /** The statistic that passed the threshold, in standard errors of a block mean. */
  readonly statistic: number;
  /** The tag given with the first value after the change point (the caller's timestamp). */
  readonly changeTag: number;
  /** Examples per block. */
  readonly blockSize: number;
}

/** Welford's running mean and sum of squared deviations; merges a block's with Chan's formula. */
class Moments {
  n = 0;
  mean = 0;
  m2 = 0;

  add(x: number): void {
    this.n++;
    const d = x - this.mean;
    this.mean += d / this.n;
    this.m2 += d * (x - this.mean);
  }

  merge(o: Moments): void {
    const n = this.n + o.n;
    const d = o.mean - this.mean;
    this.m2 += o.m2 + (d * d * this.n * o.n) / n;
    this.mean += (d * o.n) / n;
    this.n = n;
  }

  /** Sample variance; 0 below two values. */
  get variance(): number {
    return this.n > 1 ? this.m2 / (this.n - 1) : 0;
  }
}

/** The blocks since a statistic last stood at 0: where Page places the change. */
class Excursion {
  sum = 0;
  examples = 0;
  tag = 0;

  extend(mean: number, examples: number, tag: number, statistic: number): void {
    if (statistic <= 0) {
      this.sum = 0;
      this.examples = 0;
      return;
    }
    if (this.examples === 0) this.tag = tag;
    this.sum += mean * examples;
    this.examples += examples;
  }
}

export class ChangeDetector {
  private pilot: number[] = [];
  private pilotTags: number[] = [];
  private blockSize = 0;
  private block = new Moments();
  private blockTag = 0;
  /** Per-example moments of the reference's blocks, and the moments of their means. */
  private examples = new Moments();
  private blocks = new Moments();
  private up = 0;
  private down = 0;
  private upRun = new Excursion();
  private downRun = new Excursion();
  private seen = 0;

  constructor(readonly design: ChangeDetectorDesign = CHANGE_DETECTOR_DESIGN) {
    checkDesign(design);
  }

  /** Whether blocks are judged yet (the pilot and warm-up are over and the reference varies). */
  get watching(): boolean {
    return this.blocks.n >= this.design.warmupBlocks && this.examples.m2 > 0;
  }

  /** Examples per block; null during the pilot. */
  get examplesPerBlock(): number | null {
    return this.blockSize === 0 ? null : this.blockSize;
  }

  /** The reference so far: the mean of the blocks it was built from. */
  get reference(): MeanOver {
    return { mean: this.examples.mean, examples: this.examples.n };
  }

  /** The two statistics now, in standard errors of a block mean. */
  get statistics(): { readonly up: number; readonly down: number } {
    return { up: this.up, down: this.down };
  }

  /** Values taken since the detector (re)started. */
  get count(): number {
    return this.seen;
  }

  /**
   * Takes the next value, with a tag the alarm reports for the change point (a timestamp). A value
   * that is not finite is skipped. Returns the alarm when this value completes a block that passes
   * the threshold; the detector has then started afresh.
   */
  add(value: number, tag = 0): ChangeAlarm | null {
    if (!Number.isFinite(value)) return null;
    this.seen++;
    if (this.blockSize === 0) return this.addToPilot(value, tag);
    return this.addToBlock(value, tag);
  }

  /** Starts afresh: a new pilot and reference from the next value on. */
  reset(): void {
    this.pilot = [];
    this.pilotTags = [];
    this.blockSize = 0;
    this.block = new Moments();
    this.examples = new Moments();
    this.blocks = new Moments();
    this.up = 0;
    this.down = 0;
    this.upRun = new Excursion();
    this.downRun = new Excursion();
    this.seen = 0;
  }

  private addToPilot(value: number, tag: number): ChangeAlarm | null {
    this.pilot.push(value);
    this.pilotTags.push(tag);
    if (this.pilot.length < PILOT_EXAMPLES) return null;
    const size = blockSizeFor(this.pilot, this.design);
    if (size === null) {
      // Every value alike: nothing says how far a block may stray. The next pilot tries again.
      this.pilot = [];
      this.pilotTags = [];
      return null;
    }
    this.blockSize = size;
    const [values, tags] = [this.pilot, this.pilotTags];
    this.pilot = [];
    this.pilotTags = [];
    // The pilot's values are the reference's first blocks (and are judged, should it outlast the warm-up).
    for (let i = 0; i < values.length; i++) {
      const alarm = this.addToBlock(values[i]!, tags[i]!);
      if (alarm !== null) return alarm;
    }
    return null;
  }

  private addToBlock(value: number, tag: number): ChangeAlarm | null {
    if (this.block.n === 0) this.blockTag = tag;
    this.block.add(value);
    if (this.block.n < this.blockSize) return null;
    const block = this.block;
    this.block = new Moments();
    return this.judge(block, this.blockTag);
  }

  private judge(block: Moments, tag: number): ChangeAlarm | null {
    const d = this.design;
    const frozen = Math.max(this.up, this.down) > d.freezeAbove;
    if (this.watching) {
      const variance = Math.max(this.examples.variance / block.n, this.blocks.variance);
      const se = Math.sqrt(variance * (1 + 1 / this.blocks.n));
      const z = Math.max(-d.winsorize, Math.min(d.winsorize, (block.mean - this.blocks.mean) / se));
      this.up = Math.max(0, this.up + z - d.allowance);
      this.down = Math.max(0, this.down - z - d.allowance);
      this.upRun.extend(block.mean, block.n, tag, this.up);
      this.downRun.extend(block.mean, block.n, tag, this.down);
      const side: ShiftSide | null = this.up > d.threshold ? 'up' : this.down > d.threshold ? 'down' : null;
      if (side !== null) {
        const run = side === 'up' ? this.upRun : this.downRun;
        const alarm: ChangeAlarm = {
          side,
          before: this.reference,
          since: { mean: run.sum / run.examples, examples: run.examples },
          statistic: side === 'up' ? this.up : this.down,
          changeTag: run.tag,
          blockSize: this.blockSize,
        };
        this.reset();
        return alarm;
      }
    }
    if (!frozen) {
      this.examples.merge(block);
      this.blocks.add(block.mean);
    }
    return null;
  }
}

/**
 * Examples per block for values like `pilot`: enough that a block mean's skewness is at most the
 * design's, within its bounds; null when the values do not vary.
 */
export function blockSizeFor(
  pilot: readonly number[],
  design: ChangeDetectorDesign = CHANGE_DETECTOR_DESIGN,
): number | null {
  const n = pilot.length;
  if (n < 2 || pilot.every((v) => v === pilot[0])) return null;
  let mean = 0;
  for (const v of pilot) mean += v / n;
  let m2 = 0;
  let m3 = 0;
  for (const v of pilot) {
    const dev = v - mean;
    m2 += (dev * dev) / n;
    m3 += (dev * dev * dev) / n;
  }
  if (!(m2 > 0)) return null;
  const skewness = m3 / m2 ** 1.5;
  const needed = Math.ceil((skewness / design.blockSkewness) ** 2);
  return Math.min(design.maxBlock, Math.max(design.minBlock, Number.isFinite(needed) ? needed : design.maxBlock));
}
