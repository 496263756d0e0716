// Exploration policies: each turns the per-action estimates of one context into a choice AND the
// probability with which every action would have been chosen. The probabilities are logged with
// the decision (the chosen one is its propensity) so that the rewards can later be re-weighted to
// evaluate or learn other policies off-policy (see ../ope). Every random draw comes from the
// generator passed in, so a seeded run repeats; a policy holds hyper-parameters only, no state.

import type { ArmEstimate } from './linear-arm.js';
import { bestIndices, pickUniformly, sampleIndex, type RandomSource } from './random-source.js';

/** A policy's hyper-parameters as data (what a bandit's `toJSON()` stores). */
export type PolicySpec =
  | { readonly kind: 'epsilon-greedy'; readonly epsilon: number }
  | { readonly kind: 'softmax'; readonly temperature: number }
  | { readonly kind: 'linucb'; readonly alpha: number }
  | { readonly kind: 'thompson'; readonly scale?: number; readonly propensityDraws?: number };

export type PolicyKind = PolicySpec['kind'];

/** One decision over K actions, by index. */
export interface PolicyChoice {
  /** The chosen action. */
  readonly index: number;
  /** P(action k is chosen) for every k; sums to 1. `probabilities[index]` is the propensity. */
  readonly probabilities: Float64Array;
  /** What the policy ranked the actions by: θ̂ᵀx for ε-greedy and softmax, θ̂ᵀx + α·width for
   * LinUCB, the posterior draw for Thompson sampling. */
  readonly scores: Float64Array;
}

export interface Policy {
  readonly spec: PolicySpec;
  choose(estimates: readonly ArmEstimate[], random: RandomSource): PolicyChoice;
}

function means(estimates: readonly ArmEstimate[]): Float64Array {
  if (estimates.length === 0) throw new RangeError('a policy needs at least one action to choose from');
  return Float64Array.from(estimates, (e) => e.mean);
}

/** With probability ε a uniformly random action, otherwise the best estimate (exact ties share
 * that 1 − ε equally): P(k) = ε/K + (1 − ε)·[k is among the m best]/m. */
export class EpsilonGreedy implements Policy {
  readonly spec: PolicySpec;

  constructor(readonly epsilon: number) {
    if (!(epsilon >= 0 && epsilon <= 1)) throw new RangeError(`epsilon must be in [0, 1], got ${epsilon}`);
    this.spec = { kind: 'epsilon-greedy', epsilon };
  }

  choose(estimates: readonly ArmEstimate[], random: RandomSource): PolicyChoice {
    const scores = means(estimates);
    const k = scores.length;
    const best = bestIndices(scores);
    const probabilities = new Float64Array(k).fill(this.epsilon / k);
    for (const i of best) probabilities[i] = probabilities[i]! + (1 - this.epsilon) / best.length;
    return { index: sampleIndex(probabilities, random), probabilities, scores };
  }
}

/** P(k) ∝ exp(θ̂ₖᵀx / τ). The largest score is subtracted before exponentiating, so no term
 * overflows and the largest is exactly 1 (the sum is never 0). */
export class Softmax implements Policy {
  readonly spec: PolicySpec;

  constructor(readonly temperature: number) {
    if (!(temperature > 0 && Number.isFinite(temperature)))
      throw new RangeError(`the softmax temperature must be a positive finite number, got ${temperature}`);
    this.spec = { kind: 'softmax', temperature };
  }

  choose(estimates: readonly ArmEstimate[], random: RandomSource): PolicyChoice {
    const scores = means(estimates);
    const max = Math.max(...scores);
    const probabilities = scores.map((s) => Math.exp((s - max) / this.temperature));
    const sum = probabilities.reduce((total, p) => total + p, 0);
    for (let i = 0; i < probabilities.length; i++) probabilities[i] = probabilities[i]! / sum;
    return { index: sampleIndex(probabilities, random), probabilities, scores };
  }
}

/** The action with the largest upper confidence bound θ̂ᵀx + α·sqrt(xᵀA⁻¹x). Deterministic: the
 * chosen action has propensity 1, or 1/m when m actions tie exactly (then one is drawn uniformly).
 * Such propensities let one evaluate LinUCB itself but no other policy: off-policy estimates from
 * its logs need the target to agree with it. */
export class LinUcb implements Policy {
  readonly spec: PolicySpec;

  constructor(readonly alpha: number) {
    if (!(alpha >= 0 && Number.isFinite(alpha)))
      throw new RangeError(`LinUCB's alpha must be a non-negative finite number, got ${alpha}`);
    this.spec = { kind: 'linucb', alpha };
  }

  choose(estimates: readonly ArmEstimate[], random: RandomSource): PolicyChoice {
    means(estimates);
    const scores = Float64Array.from(estimates, (e) => e.mean + this.alpha * e.width);
    const best = bestIndices(scores);
    const probabilities = new Float64Array(scores.length);
    for (const i of best) probabilities[i] = 1 / best.length;
    return { index: pickUniformly(best, random), probabilities, scores };
  }
}

export const DEFAULT_PROPENSITY_DRAWS = 200;

/** Thompson sampling on the linear model: draw θ̃ₖ ~ N(θ̂ₖ, v²Aₖ⁻¹) for every arm and take the
 * action whose θ̃ₖᵀx is largest.
 *
 * Only θ̃ₖᵀx matters, and for θ̃ = θ̂ + v·L·z (L·Lᵀ = A⁻¹, z standard normal) it is exactly
 * N(θ̂ᵀx, v²·xᵀA⁻¹x) = mean + v·width·z₁: the draw is taken in that form, one normal per arm
 * instead of d, which is the same law (`LinearArm.sampleCoefficients` is the Cholesky draw of the
 * whole θ̃; the tests check the two agree). It is what makes the propensity affordable:
 *
 * P(k is chosen) has no closed form, so it is ESTIMATED by Monte Carlo from `propensityDraws`
 * further draws (default 200) of the same generator: the decision itself counts as one draw, so
 * p̂ₖ = (wins of k, the decision included) / (draws + 1). The vector sums to 1 and the chosen
 * action's p̂ is never below 1/(draws + 1), so an importance weight 1/p̂ never exceeds draws + 1.
 * Averaged over decisions p̂ₖ is unbiased for pₖ; the price of the floor is that, given k was
 * chosen, p̂ₖ overstates pₖ by (1 − pₖ)/(draws + 1) on average (under 0.005 at 200 draws), which
 * matters only for actions chosen about that rarely. Exact ties (equal means and zero widths) share
 * every draw they tie in, the decision included: m actions tied that way get 1/m each. */
export class ThompsonSampling implements Policy {
  readonly spec: PolicySpec;

  /** `scale` is v, the posterior's standard-deviation multiplier (the reward noise's standard
   * deviation when λ is the prior precision in units of it). */
  constructor(
    readonly scale = 1,
    readonly propensityDraws = DEFAULT_PROPENSITY_DRAWS,
  ) {
    if (!(scale >= 0 && Number.isFinite(scale)))
      throw new RangeError(`Thompson sampling's scale must be a non-negative finite number, got ${scale}`);
    if (!(Number.isInteger(propensityDraws) && propensityDraws >= 1)) {
      throw new RangeError(
        `propensityDraws must be a positive integer (the Monte Carlo draws that estimate the propensity), got ${propensityDraws}`,
      );
    }
    this.spec = { kind: 'thompson', scale, propensityDraws };
  }

  choose(estimates: readonly ArmEstimate[], random: RandomSource): PolicyChoice {
    means(estimates);
    const k = estimates.length;
    const centres = Float64Array.from(estimates, (e) => e.mean);
    const spreads = Float64Array.from(estimates, (e) => this.scale * e.width);
    const scores = new Float64Array(k);
    for (let i = 0; i < k; i++) scores[i] = centres[i]! + spreads[i]! * random.normal();
    const decisionBest = bestIndices(scores);
    const index = pickUniformly(decisionBest, random);
    const wins = new Float64Array(k);
    for (const i of decisionBest) wins[i] = 1 / decisionBest.length;
    // The hot loop of a decision (draws × K normals): no allocation, and the ties, which need
    // exactly equal draws (in practice only arms of width 0), are found by a second pass.
    const sample = new Float64Array(k);
    for (let m = 0; m < this.propensityDraws; m++) {
      let best = -Infinity;
      let winner = -1;
      let tied = 0;
      for (let i = 0; i < k; i++) {
        const s = centres[i]! + spreads[i]! * random.normal();
        sample[i] = s;
        if (s > best) {
          best = s;
          winner = i;
          tied = 1;
        } else if (s === best) {
          tied += 1;
        }
      }
      if (tied === 1) wins[winner] = wins[winner]! + 1;
      else for (let i = 0; i < k; i++) if (sample[i] === best) wins[i] = wins[i]! + 1 / tied;
    }
    const probabilities = wins.map((w) => w / (this.propensityDraws + 1));
    return { index, probabilities, scores };
  }
}

/** The policy a spec describes. */
export function createPolicy(spec: PolicySpec): Policy {
  switch (spec.kind) {
    case 'epsilon-greedy':
      return new EpsilonGreedy(spec.epsilon);
    case 'softmax':
      return new Softmax(spec.temperature);
    case 'linucb':
      return new LinUcb(spec.alpha);
    case 'thompson':
      return new ThompsonSampling(spec.scale, spec.propensityDraws);
    default:
      throw new RangeError(
        `unknown policy kind ${JSON.stringify((spec as { kind: unknown }).kind)}: use epsilon-greedy, softmax, linucb or thompson`,
      );
  }
}
