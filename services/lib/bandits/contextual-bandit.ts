// A contextual bandit over K named actions: one ridge-regression arm per action (linear-arm.ts)
// and one exploration policy (policies.ts). Hyper-parameters are given once, to the constructor,
// and never change; the learned state is the arms alone, which is what `toJSON()` adds to them.
// The caller encodes the context as a Float64Array of `dimension` features and keeps the choice's
// propensity with the decision, to hand it back to `learn` when the delayed reward arrives.
//
// With a half-life the bandit forgets by event time: a reward learned for a decision taken at time
// t weighs 2^(−(now − t)/halfLife), `now` being the latest decision time learned (Russac, Vernade &
// Cappé 2019, with γ = 2^(−Δt/halfLife) for the Δt between updates; see linear-arm.ts). Every arm is
// decayed to the same clock, not only the one updated: an action no longer taken then loses its
// certainty too, its width grows back, and LinUCB and Thompson sampling try it again — which is how
// a bandit finds out that the action it abandoned has become the best one. The clock travels with
// the state (`lastUpdateAt`), so a restored bandit decays from where it stopped.

import { LinearArm, type ArmEstimate, type LinearArmState } from './linear-arm.js';
import { createPolicy, type Policy, type PolicySpec } from './policies.js';
import type { RandomSource } from './random-source.js';

/** How `learn` weights an update. */
export type ImportanceWeighting = 'none' | 'inverse-propensity';

export interface ContextualBanditOptions {
  /** The action names, in a fixed order; at least one, all distinct and non-empty. */
  readonly actions: readonly string[];
  /** Features per context. */
  readonly dimension: number;
  readonly policy: PolicySpec;
  /** λ of every arm's ridge regression; default 1. */
  readonly ridge?: number;
  /** 'none' (default): every reward counts once. Each arm regresses only on its own rewards and
   * the policy chooses from x alone, so under a linear reward model the arm's estimate is
   * consistent however the actions were chosen, and 1/propensity weights would only add variance.
   * 'inverse-propensity' weights an update by min(1/propensity, maxImportanceWeight): it makes
   * each arm fit the reward over all contexts rather than those its action was chosen in, which
   * matters when the model is misspecified, e.g. learning from another policy's logs. */
  readonly importanceWeighting?: ImportanceWeighting;
  /** The cap on an inverse-propensity weight; default Infinity (no cap). */
  readonly maxImportanceWeight?: number;
  /** Time (ms, of the decisions' clock) in which a learned reward's weight halves; null or absent:
   * never, every reward counts the same however old. Only rewards learned with a time decay. */
  readonly halfLifeMs?: number | null;
}

/** The options with every default filled in. */
export interface CompiledBanditOptions {
  readonly actions: readonly string[];
  readonly dimension: number;
  readonly policy: PolicySpec;
  readonly ridge: number;
  readonly importanceWeighting: ImportanceWeighting;
  /** JSON has no Infinity: no cap is stored as null. */
  readonly maxImportanceWeight: number | null;
  /** Null: never forgets. */
  readonly halfLifeMs: number | null;
}

/** A decision, for logging with the request. */
export interface BanditChoice {
  readonly action: string;
  /** P(action) under the policy: probabilities[action]. An estimate for Thompson sampling. */
  readonly propensity: number;
  /** P(a) for every action; sums to 1. */
  readonly probabilities: Readonly<Record<string, number>>;
  /** What the policy ranked each action by (see `PolicyChoice.scores`). */
  readonly scores: Readonly<Record<string, number>>;
}

export const BANDIT_STATE_FORMAT = 'looper.contextual-bandit';
export const BANDIT_STATE_VERSION = 1;

/** Everything a bandit is, as plain JSON-able data. */
export interface ContextualBanditState {
  readonly format: typeof BANDIT_STATE_FORMAT;
  readonly version: typeof BANDIT_STATE_VERSION;
  readonly options: CompiledBanditOptions;
  readonly arms: Readonly<Record<string, LinearArmState>>;
  /** The latest decision time learned (ms): the time the arms' statistics are decayed to. Null
   * before any reward learned with a time, and absent from states written before forgetting. */
  readonly lastUpdateAt?: number | null;
}

/** γ = 2^(−elapsed/halfLife): the weight left of a reward after `elapsedMs`; 0.5 after one half-life. */
export function decayFactor(elapsedMs: number, halfLifeMs: number): number {
  return 2 ** (-elapsedMs / halfLifeMs);
}

/** Validates the options and fills the defaults; a RangeError says what to change. */
export function compileBanditOptions(options: ContextualBanditOptions): CompiledBanditOptions {
  const { actions, dimension } = options;
  if (!Array.isArray(actions) || actions.length === 0)
    throw new RangeError('a contextual bandit needs at least one action');
  const seen = new Set<string>();
  for (const action of actions) {
    if (typeof action !== 'string' || action.length === 0)
      throw new RangeError(`action names must be non-empty strings, got ${JSON.stringify(action)}`);
    if (seen.has(action)) throw new RangeError(`action "${action}" is listed twice: action names must be distinct`);
    seen.add(action);
  }
  if (!Number.isInteger(dimension) || dimension < 1)
    throw new RangeError(`the context dimension must be a positive integer, got ${dimension}`);
  const ridge = options.ridge ?? 1;
  if (!(ridge > 0 && Number.isFinite(ridge)))
    throw new RangeError(`the ridge λ must be a positive finite number, got ${ridge}`);
  const importanceWeighting = options.importanceWeighting ?? 'none';
  if (importanceWeighting !== 'none' && importanceWeighting !== 'inverse-propensity') {
    throw new RangeError(
      `importanceWeighting must be 'none' or 'inverse-propensity', got ${JSON.stringify(importanceWeighting)}`,
    );
  }
  const cap = options.maxImportanceWeight ?? Infinity;
  if (!(cap >= 1))
    throw new RangeError(`maxImportanceWeight must be at least 1 (a propensity is at most 1), got ${cap}`);
  if (options.maxImportanceWeight !== undefined && importanceWeighting === 'none') {
    throw new RangeError(
      "maxImportanceWeight only applies with importanceWeighting 'inverse-propensity': set that too, or drop the cap",
    );
  }
  const halfLifeMs = options.halfLifeMs ?? null;
  if (halfLifeMs !== null && !(halfLifeMs > 0 && Number.isFinite(halfLifeMs)))
    throw new RangeError(
      `halfLifeMs must be a positive finite number of ms, or null to never forget, got ${halfLifeMs}`,
    );
  // Validated by building it; the spec it reports has its own defaults filled in.
  const policy = createPolicy(options.policy).spec;
  return {
    actions: [...actions],
    dimension,
    policy,
    ridge,
    importanceWeighting,
    maxImportanceWeight: Number.isFinite(cap) ? cap : null,
    halfLifeMs,
  };
}

export class ContextualBandit {
  readonly options: CompiledBanditOptions;
  private readonly policy: Policy;
  private readonly arms: LinearArm[];
  private readonly indexOf: ReadonlyMap<string, number>;
  private clock: number | null = null;

  constructor(options: ContextualBanditOptions) {
    this.options = compileBanditOptions(options);
    this.policy = createPolicy(this.options.policy);
    this.arms = this.options.actions.map(() => new LinearArm(this.options.dimension, this.options.ridge));
    this.indexOf = new Map(this.options.actions.map((a, i) => [a, i]));
  }

  get actions(): readonly string[] {
    return this.options.actions;
  }

  /** The latest decision time learned (ms); null before any reward learned with one. */
  get lastUpdateAt(): number | null {
    return this.clock;
  }

  /** Every action's estimate θ̂ᵀx and width in context x. */
  estimates(x: Float64Array): ArmEstimate[] {
    return this.arms.map((arm) => arm.estimate(x));
  }

  /** Chooses an action for context x (left untouched); every random draw comes from `random`. */
  choose(x: Float64Array, random: RandomSource): BanditChoice {
    const choice = this.policy.choose(this.estimates(x), random);
    const probabilities: Record<string, number> = {};
    const scores: Record<string, number> = {};
    this.options.actions.forEach((action, i) => {
      probabilities[action] = choice.probabilities[i]!;
      scores[action] = choice.scores[i]!;
    });
    const action = this.options.actions[choice.index]!;
    return { action, propensity: probabilities[action]!, probabilities, scores };
  }

  /** Learns that `action`, taken in context x, earned `reward`. `propensity` is the one logged with
   * the decision; it is checked to be in (0, 1] whenever given and required with
   * 'inverse-propensity' weighting. `at` is when the decision was taken (ms): with a half-life,
   * every arm is first decayed from the latest time learned to `at`, and a reward older than that
   * time is learned with its weight already decayed by its age. Without `at` nothing decays. Throws
   * a RangeError for an unknown action or a non-finite `at` too. */
  learn(x: Float64Array, action: string, reward: number, propensity?: number, at?: number): void {
    const index = this.indexOf.get(action);
    if (index === undefined)
      throw new RangeError(`unknown action "${action}": this bandit has ${this.options.actions.join(', ')}`);
    if (propensity !== undefined && !(propensity > 0 && propensity <= 1)) {
      throw new RangeError(`a propensity must be in (0, 1], got ${propensity}`);
    }
    let weight = 1;
    if (this.options.importanceWeighting === 'inverse-propensity') {
      if (propensity === undefined)
        throw new RangeError("importanceWeighting 'inverse-propensity' needs the propensity logged with the decision");
      weight = Math.min(1 / propensity, this.options.maxImportanceWeight ?? Infinity);
    }
    if (at !== undefined) weight *= this.advanceTo(at);
    this.arms[index]!.update(x, reward, weight);
  }

  /** Moves the clock to `at` when it is later, decaying every arm on the way; returns the factor a
   * reward of time `at` keeps (1, or less for one older than the clock). */
  private advanceTo(at: number): number {
    if (!Number.isFinite(at)) throw new RangeError(`a decision time must be a finite number of ms, got ${at}`);
    const halfLife = this.options.halfLifeMs;
    const clock = this.clock;
    if (clock === null || at > clock) {
      this.clock = at;
      if (halfLife !== null && clock !== null) {
        const gamma = decayFactor(at - clock, halfLife);
        for (const arm of this.arms) arm.decay(gamma);
      }
      return 1;
    }
    return halfLife === null ? 1 : decayFactor(clock - at, halfLife);
  }

  /** The same bandit, what it learned included, forgetting with another half-life from now on. */
  withHalfLife(halfLifeMs: number | null): ContextualBandit {
    if (halfLifeMs === this.options.halfLifeMs) return this;
    return ContextualBandit.fromJSON({ ...this.toJSON(), options: { ...this.options, halfLifeMs } });
  }

  /** The arm of one action, for inspection. */
  arm(action: string): LinearArm {
    const index = this.indexOf.get(action);
    if (index === undefined)
      throw new RangeError(`unknown action "${action}": this bandit has ${this.options.actions.join(', ')}`);
    return this.arms[index]!;
  }

  toJSON(): ContextualBanditState {
    const arms: Record<string, LinearArmState> = {};
    this.options.actions.forEach((action, i) => (arms[action] = this.arms[i]!.toJSON()));
    return {
      format: BANDIT_STATE_FORMAT,
      version: BANDIT_STATE_VERSION,
      options: this.options,
      arms,
      lastUpdateAt: this.clock,
    };
  }

  /** The bandit a `toJSON()` described (after a JSON round-trip too). A state written before
   * forgetting existed (no halfLifeMs, no lastUpdateAt) loads as a bandit that never forgets and
   * has no clock yet: it behaves as it did. Throws a RangeError for another format or version, or
   * arms that do not match the actions and dimension. */
  static fromJSON(state: ContextualBanditState): ContextualBandit {
    if (state.format !== BANDIT_STATE_FORMAT || state.version !== BANDIT_STATE_VERSION) {
      throw new RangeError(
        `expected ${BANDIT_STATE_FORMAT} version ${BANDIT_STATE_VERSION}, got ${String(state.format)} version ${String(state.version)}`,
      );
    }
    const { maxImportanceWeight, ...rest } = state.options;
    const bandit = new ContextualBandit(maxImportanceWeight === null ? rest : { ...rest, maxImportanceWeight });
    const clock = state.lastUpdateAt ?? null;
    if (clock !== null && !Number.isFinite(clock))
      throw new RangeError(`lastUpdateAt must be a finite number of ms or null, got ${String(clock)}`);
    bandit.clock = clock;
    const names = Object.keys(state.arms ?? {});
    const missing = bandit.actions.filter((a) => !(a in (state.arms ?? {})));
    if (missing.length > 0 || names.length !== bandit.actions.length) {
      throw new RangeError(`the arms (${names.join(', ')}) must be exactly the actions (${bandit.actions.join(', ')})`);
    }
    bandit.options.actions.forEach((action, i) => {
      const arm = LinearArm.fromJSON(state.arms[action]!);
      if (arm.dimension !== bandit.options.dimension || arm.ridge !== bandit.options.ridge) {
        throw new RangeError(
          `arm "${action}" has dimension ${arm.dimension} and ridge ${arm.ridge}, the bandit ${bandit.options.dimension} and ${bandit.options.ridge}`,
        );
      }
      bandit.arms[i] = arm;
    });
    return bandit;
  }
}
