// One action's reward model for the linear contextual bandits (LinUCB, Li et al. WWW 2010;
// linear Thompson sampling, Agrawal & Goyal ICML 2013): ridge regression of the reward on the
// context, kept as
//   A = λI + Σ wᵢ xᵢxᵢᵀ,   b = Σ wᵢ rᵢ xᵢ,   θ̂ = A⁻¹b,
// with the width sqrt(xᵀA⁻¹x) of the estimate θ̂ᵀx (its standard deviation up to the noise scale).
//
// A decision is taken on every request and an update arrives only with a reward, so A⁻¹ is kept
// up to date by the Sherman–Morrison identity, O(d²) per update, and a request never inverts:
//   (A + w xxᵀ)⁻¹ = A⁻¹ − w (A⁻¹x)(A⁻¹x)ᵀ / (1 + w xᵀA⁻¹x).
// The update is written on the upper triangle and mirrored, so A⁻¹ stays exactly symmetric and
// rounding cannot drift it away from a covariance. A itself is kept too (also O(d²)) so that the
// state says what it estimates and can be checked against a direct solve.
//
// An arm can forget (`decay`), as the discounted LinUCB of Russac, Vernade & Cappé ("Weighted linear
// bandits for non-stationary environments", NeurIPS 2019) does: before an update the statistics
// are scaled by γ ∈ (0, 1] with the ridge kept whole,
//   A ← γA + (1 − γ)λI,   b ← γb,
// so A = λI + Σ γ^(age) wᵢ xᵢxᵢᵀ: old examples fade while the prior does not, and A stays at least
// λI (invertible, its inverse at most I/λ) however much is forgotten. The (1 − γ)λI term is not of
// rank one, so Sherman–Morrison cannot follow a decay: A⁻¹ and θ̂ are rebuilt from A by Cholesky
// (O(d³)) when next read, and updates until then touch A and b alone. A trainer that decays at
// every example and publishes every 30 s thus inverts once per version, not once per example.
// The width stays sqrt(xᵀA⁻¹x): D-LinUCB's own is sqrt(xᵀA⁻¹ÃA⁻¹x), with Ã discounted by γ², which
// is never larger (Ã ≼ A), so the width here explores at least as much for the same α and keeps
// the artifact to the one matrix the predictor already reads.

import { cholesky, dot, inverseSpd, multiply, scaledIdentity } from './matrix.js';
import type { RandomSource } from './random-source.js';

/** The learned state of a `LinearArm` as plain JSON-able data. Matrices are row-major. */
export interface LinearArmState {
  readonly dimension: number;
  /** λ, the ridge penalty (the prior precision of θ). */
  readonly ridge: number;
  /** Updates applied. */
  readonly updates: number;
  /** Σ wᵢ, the importance weight learned from. */
  readonly totalWeight: number;
  /** A = λI + Σ wᵢ xᵢxᵢᵀ (each wᵢ scaled by the decays since, for an arm that forgets). */
  readonly precision: readonly number[];
  /** A⁻¹, as maintained by Sherman–Morrison (or rebuilt by Cholesky after a decay). */
  readonly covariance: readonly number[];
  /** b = Σ wᵢ rᵢ xᵢ (with the same decayed wᵢ). */
  readonly b: readonly number[];
}

/** The estimate of one action's reward in one context. */
export interface ArmEstimate {
  /** θ̂ᵀx. */
  readonly mean: number;
  /** sqrt(xᵀA⁻¹x): how uncertain `mean` is, up to the noise scale. */
  readonly width: number;
}

export class LinearArm {
  readonly dimension: number;
  readonly ridge: number;
  private readonly a: Float64Array;
  private readonly aInverse: Float64Array;
  private readonly b: Float64Array;
  private readonly theta: Float64Array;
  /** Scratch for A⁻¹x, so an update allocates nothing. */
  private readonly scratch: Float64Array;
  /** The Cholesky factor of A⁻¹ for Thompson draws, built on demand and dropped by an update. */
  private factor: Float64Array | undefined;
  /** A decay changed A and b since A⁻¹ and θ̂ were last computed from them. */
  private stale = false;
  private updateCount = 0;
  private weightSum = 0;

  /** An arm that has learned nothing: θ̂ = 0 and A = λI. Throws a RangeError for a dimension that is
   * not a positive integer or a ridge λ that is not a positive finite number (λ = 0 would leave A
   * singular until d independent contexts were seen). */
  constructor(dimension: number, ridge = 1) {
    if (!Number.isInteger(dimension) || dimension < 1)
      throw new RangeError(`a linear arm needs a positive integer dimension, got ${dimension}`);
    if (!(ridge > 0 && Number.isFinite(ridge)))
      throw new RangeError(`the ridge λ must be a positive finite number, got ${ridge}`);
    this.dimension = dimension;
    this.ridge = ridge;
    this.a = scaledIdentity(dimension, ridge);
    this.aInverse = scaledIdentity(dimension, 1 / ridge);
    this.b = new Float64Array(dimension);
    this.theta = new Float64Array(dimension);
    this.scratch = new Float64Array(dimension);
  }

  /** Updates applied so far. */
  get updates(): number {
    return this.updateCount;
  }

  /** Σ wᵢ over the updates. */
  get totalWeight(): number {
    return this.weightSum;
  }

  /** θ̂ᵀx. */
  predict(x: ArrayLike<number>): number {
    this.checkContext(x);
    this.refresh();
    return dot(this.theta, x);
  }

  /** sqrt(xᵀA⁻¹x). */
  width(x: ArrayLike<number>): number {
    this.checkContext(x);
    this.refresh();
    return Math.sqrt(Math.max(0, dot(x, multiply(this.aInverse, x, this.scratch))));
  }

  /** The estimate θ̂ᵀx and its width, together. */
  estimate(x: ArrayLike<number>): ArmEstimate {
    return { mean: this.predict(x), width: this.width(x) };
  }

  /** Learns reward r in context x with importance weight w (1 unless the caller corrects for how x
   * was chosen). w = 0 changes nothing; a negative or non-finite w throws a RangeError, as does a
   * non-finite reward or a context of the wrong length or with a non-finite entry. */
  update(x: ArrayLike<number>, reward: number, weight = 1): void {
    this.checkContext(x);
    if (!Number.isFinite(reward)) throw new RangeError(`a reward must be a finite number, got ${reward}`);
    if (!(weight >= 0 && Number.isFinite(weight)))
      throw new RangeError(`an importance weight must be a non-negative finite number, got ${weight}`);
    if (weight === 0) return;
    const d = this.dimension;
    this.updateCount += 1;
    this.weightSum += weight;
    if (this.stale) {
      // A⁻¹ is rebuilt from A when next read: only A and b need the update.
      for (let i = 0; i < d; i++) {
        const wx = weight * x[i]!;
        for (let j = i; j < d; j++) {
          const value = this.a[i * d + j]! + wx * x[j]!;
          this.a[i * d + j] = value;
          this.a[j * d + i] = value;
        }
        this.b[i] = this.b[i]! + wx * reward;
      }
      return;
    }
    const u = multiply(this.aInverse, x, this.scratch);
    // 1 + w·xᵀA⁻¹x ≥ 1 because A⁻¹ is positive definite and w > 0: the division is always safe.
    const scale = weight / (1 + weight * dot(x, u));
    for (let i = 0; i < d; i++) {
      const su = scale * u[i]!;
      const wx = weight * x[i]!;
      for (let j = i; j < d; j++) {
        const inverse = this.aInverse[i * d + j]! - su * u[j]!;
        this.aInverse[i * d + j] = inverse;
        this.aInverse[j * d + i] = inverse;
        const value = this.a[i * d + j]! + wx * x[j]!;
        this.a[i * d + j] = value;
        this.a[j * d + i] = value;
      }
      this.b[i] = this.b[i]! + wx * reward;
    }
    multiply(this.aInverse, this.b, this.theta);
    this.factor = undefined;
  }

  /** Forgets: A ← γA + (1 − γ)λI and b ← γb, so every example learned so far weighs γ times what it
   * did and the ridge λ stays whole. γ = 1 changes nothing; a γ outside (0, 1] throws a RangeError. */
  decay(gamma: number): void {
    if (!(gamma > 0 && gamma <= 1)) throw new RangeError(`a decay factor must be in (0, 1], got ${gamma}`);
    if (gamma === 1) return;
    const d = this.dimension;
    const restored = (1 - gamma) * this.ridge;
    for (let i = 0; i < d * d; i++) this.a[i] = gamma * this.a[i]!;
    for (let i = 0; i < d; i++) {
      this.a[i * d + i] = this.a[i * d + i]! + restored;
      this.b[i] = gamma * this.b[i]!;
    }
    this.stale = true;
    this.factor = undefined;
  }

  /** A⁻¹ and θ̂ from A and b after a decay (see the header); nothing to do otherwise. */
  private refresh(): void {
    if (!this.stale) return;
    inverseSpd(this.a, this.dimension, this.aInverse);
    multiply(this.aInverse, this.b, this.theta);
    this.stale = false;
  }

  /** A draw of θ from N(θ̂, scale²·A⁻¹), the Thompson-sampling posterior: θ̂ + scale·L·z with
   * L·Lᵀ = A⁻¹ (Cholesky) and z standard normal. The factor is cached until the next update. */
  sampleCoefficients(random: RandomSource, scale = 1): Float64Array {
    if (!(scale >= 0 && Number.isFinite(scale)))
      throw new RangeError(`the posterior scale must be a non-negative finite number, got ${scale}`);
    const d = this.dimension;
    this.refresh();
    this.factor ??= cholesky(this.aInverse, d);
    const z = new Float64Array(d);
    for (let i = 0; i < d; i++) z[i] = random.normal();
    const draw = Float64Array.from(this.theta);
    for (let i = 0; i < d; i++) {
      let sum = 0;
      for (let j = 0; j <= i; j++) sum += this.factor[i * d + j]! * z[j]!;
      draw[i] = draw[i]! + scale * sum;
    }
    return draw;
  }

  /** A copy of θ̂ = A⁻¹b. */
  coefficients(): Float64Array {
    this.refresh();
    return Float64Array.from(this.theta);
  }

  /** A copy of A = λI + Σ wᵢ xᵢxᵢᵀ (row-major). */
  precision(): Float64Array {
    return Float64Array.from(this.a);
  }

  /** A copy of A⁻¹ (row-major). */
  covariance(): Float64Array {
    this.refresh();
    return Float64Array.from(this.aInverse);
  }

  toJSON(): LinearArmState {
    this.refresh();
    return {
      dimension: this.dimension,
      ridge: this.ridge,
      updates: this.updateCount,
      totalWeight: this.weightSum,
      precision: Array.from(this.a),
      covariance: Array.from(this.aInverse),
      b: Array.from(this.b),
    };
  }

  /** The arm a `toJSON()` described, exactly (JSON keeps every double). Throws a RangeError for a
   * state whose sizes disagree with its dimension or that holds a non-finite number. */
  static fromJSON(state: LinearArmState): LinearArm {
    const arm = new LinearArm(state.dimension, state.ridge);
    const d = state.dimension;
    const parts: readonly (readonly [string, readonly number[], Float64Array, number])[] = [
      ['precision', state.precision, arm.a, d * d],
      ['covariance', state.covariance, arm.aInverse, d * d],
      ['b', state.b, arm.b, d],
    ];
    for (const [name, values, target, length] of parts) {
      if (!Array.isArray(values) || values.length !== length) {
        throw new RangeError(
          `a linear arm of dimension ${d} needs ${name} of length ${length}, got ${Array.isArray(values) ? values.length : typeof values}`,
        );
      }
      values.forEach((v, i) => {
        if (!Number.isFinite(v)) throw new RangeError(`${name}[${i}] must be a finite number, got ${v}`);
        target[i] = v;
      });
    }
    if (!(Number.isInteger(state.updates) && state.updates >= 0))
      throw new RangeError(`updates must be a non-negative integer, got ${state.updates}`);
    if (!(state.totalWeight >= 0 && Number.isFinite(state.totalWeight)))
      throw new RangeError(`totalWeight must be a non-negative finite number, got ${state.totalWeight}`);
    arm.updateCount = state.updates;
    arm.weightSum = state.totalWeight;
    multiply(arm.aInverse, arm.b, arm.theta);
    return arm;
  }

  private checkContext(x: ArrayLike<number>): void {
    if (x.length !== this.dimension)
      throw new RangeError(`a context must have ${this.dimension} features, got ${x.length}`);
    for (let i = 0; i < x.length; i++) {
      if (!Number.isFinite(x[i])) throw new RangeError(`context feature ${i} must be a finite number, got ${x[i]}`);
    }
  }
}
