// Progressive-validation metrics: each example is scored before it is learned from, and
// (label, prediction, weight) is added here. Over a sliding window of the last `window` examples,
// or cumulative when no window is given. Every metric is computed exactly from the observations in
// scope when asked (AUC by rank, ties counted half), so values never drift; a cumulative
// instance keeps all its observations (24 bytes each) — long-running callers use a window.

export interface OnlineMetricsOptions {
  /** Keep only the last `window` observations; omit (or 0) for cumulative. */
  readonly window?: number;
  /** Log-loss clips predictions to [epsilon, 1 − epsilon]. Default 1e-15. */
  readonly epsilon?: number;
}

/** Plain counts and means, meaningful whatever the calibration. */
export interface MetricCounters {
  /** Observations in scope. */
  readonly count: number;
  /** Sum of their weights. */
  readonly weight: number;
  /** Weighted positive mass, Σ w·y (labels are 0..1 for classification). */
  readonly positives: number;
  /** Weighted negative mass, Σ w·(1 − y). */
  readonly negatives: number;
  readonly meanLabel: number;
  readonly meanPrediction: number;
}

export interface MetricsSnapshot extends MetricCounters {
  readonly auc: number;
  readonly logLoss: number;
  readonly rmse: number;
  readonly mae: number;
}

const INITIAL_CAPACITY = 1024;

export class OnlineMetrics {
  private readonly window: number;
  private readonly epsilon: number;
  private labels: Float64Array;
  private predictions: Float64Array;
  private weights: Float64Array;
  /** Next write position (window: ring position; cumulative: count). */
  private next = 0;
  private size = 0;

  constructor(options: OnlineMetricsOptions = {}) {
    const window = options.window ?? 0;
    if (!Number.isInteger(window) || window < 0)
      throw new RangeError(`window must be a non-negative integer (0 for cumulative), got ${window}`);
    const epsilon = options.epsilon ?? 1e-15;
    if (!(epsilon > 0 && epsilon < 0.5)) throw new RangeError(`epsilon must be in (0, 0.5), got ${epsilon}`);
    this.window = window;
    this.epsilon = epsilon;
    const capacity = window > 0 ? window : INITIAL_CAPACITY;
    this.labels = new Float64Array(capacity);
    this.predictions = new Float64Array(capacity);
    this.weights = new Float64Array(capacity);
  }

  /** Observations in scope. */
  get count(): number {
    return this.size;
  }

  /** Adds one scored example: its label, the prediction made before learning it, and its weight. */
  update(label: number, prediction: number, weight = 1): void {
    if (!Number.isFinite(label)) throw new RangeError(`label must be a finite number, got ${label}`);
    if (!Number.isFinite(prediction)) throw new RangeError(`prediction must be a finite number, got ${prediction}`);
    if (!Number.isFinite(weight) || weight < 0) throw new RangeError(`weight must be finite and ≥ 0, got ${weight}`);
    if (this.window === 0 && this.next === this.labels.length) this.grow();
    this.labels[this.next] = label;
    this.predictions[this.next] = prediction;
    this.weights[this.next] = weight;
    this.next = this.window > 0 ? (this.next + 1) % this.window : this.next + 1;
    this.size = this.window > 0 ? Math.min(this.size + 1, this.window) : this.size + 1;
  }

  reset(): void {
    this.next = 0;
    this.size = 0;
  }

  /**
   * Area under the ROC curve: the probability that a positive scores above a negative, ties
   * counting one half, each pair weighted by the product of their weights. A label y in 0..1
   * counts as w·y positive and w·(1 − y) negative. NaN without both positives and negatives.
   */
  auc(): number {
    const n = this.size;
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    const predictions = this.predictions;
    order.sort((a, b) => (predictions[a] as number) - (predictions[b] as number));
    let negativesBelow = 0;
    let area = 0;
    let totalPositive = 0;
    for (let start = 0; start < n;) {
      const score = predictions[order[start] as number] as number;
      let positive = 0;
      let negative = 0;
      let end = start;
      for (; end < n && predictions[order[end] as number] === score; end++) {
        const i = order[end] as number;
        const w = this.weights[i] as number;
        const y = this.labels[i] as number;
        positive += w * y;
        negative += w * (1 - y);
      }
      area += positive * (negativesBelow + 0.5 * negative);
      negativesBelow += negative;
      totalPositive += positive;
      start = end;
    }
    return totalPositive > 0 && negativesBelow > 0 ? area / (totalPositive * negativesBelow) : NaN;
  }

  /** Weighted mean binary cross-entropy, predictions clipped to [ε, 1 − ε]; NaN when empty. */
  logLoss(): number {
    const eps = this.epsilon;
    return this.weightedMean((y, p) => {
      const q = Math.min(1 - eps, Math.max(eps, p));
      return -(y * Math.log(q) + (1 - y) * Math.log(1 - q));
    });
  }

  /** Root of the weighted mean squared error; NaN when empty. */
  rmse(): number {
    return Math.sqrt(this.weightedMean((y, p) => (p - y) * (p - y)));
  }

  /** Weighted mean absolute error; NaN when empty. */
  mae(): number {
    return this.weightedMean((y, p) => Math.abs(p - y));
  }

  /**
   * Expected calibration error: predictions cut into `bins` equal-width bins over [0, 1], and the
   * weighted mean over bins of |mean prediction − mean label|, each bin weighted by its weight
   * share. 0 for a perfectly calibrated model; NaN when empty.
   */
  calibrationError(bins = 10): number {
    const predictionSum = new Float64Array(bins);
    const labelSum = new Float64Array(bins);
    let total = 0;
    for (let i = 0; i < this.size; i++) {
      const w = this.weights[i] as number;
      const p = this.predictions[i] as number;
      const b = Math.min(bins - 1, Math.max(0, Math.floor(p * bins)));
      predictionSum[b] = predictionSum[b]! + w * p;
      labelSum[b] = labelSum[b]! + w * (this.labels[i] as number);
      total += w;
    }
    if (total === 0) return NaN;
    let error = 0;
    for (let b = 0; b < bins; b++) error += Math.abs(predictionSum[b]! - labelSum[b]!) / total;
    return error;
  }

  counters(): MetricCounters {
    let weight = 0;
    let positives = 0;
    let prediction = 0;
    for (let i = 0; i < this.size; i++) {
      const w = this.weights[i] as number;
      weight += w;
      positives += w * (this.labels[i] as number);
      prediction += w * (this.predictions[i] as number);
    }
    return {
      count: this.size,
      weight,
      positives,
      negatives: weight - positives,
      meanLabel: weight > 0 ? positives / weight : NaN,
      meanPrediction: weight > 0 ? prediction / weight : NaN,
    };
  }

  snapshot(): MetricsSnapshot {
    return { ...this.counters(), auc: this.auc(), logLoss: this.logLoss(), rmse: this.rmse(), mae: this.mae() };
  }

  private weightedMean(loss: (label: number, prediction: number) => number): number {
    let total = 0;
    let weight = 0;
    for (let i = 0; i < this.size; i++) {
      const w = this.weights[i] as number;
      total += w * loss(this.labels[i] as number, this.predictions[i] as number);
      weight += w;
    }
    return weight > 0 ? total / weight : NaN;
  }

  private grow(): void {
    const capacity = this.labels.length * 2;
    for (const key of ['labels', 'predictions', 'weights'] as const) {
      const bigger = new Float64Array(capacity);
      bigger.set(this[key]);
      this[key] = bigger;
    }
  }
}
