// A known-answer simulator for planning: which of K messages (email, push, sms) to send each user.
// The reward of action a for user u is Bernoulli(σ(w_a·φ(u) + b_a)) with fixed, known weights, so
// the exact value of any stochastic policy over the population can be computed, not estimated:
// that is what off-policy estimates (../ope/evaluate.ts) and planning learners are checked against.
//
// The default weights make every action the best one for a sizeable share of users (older users
// read email, young frequent users answer push, rare visitors answer sms; the platform shifts each),
// so no single action comes close to the oracle: with seed 42 and 1,000 users the oracle earns
// about 0.50 per decision, uniform choice 0.32, and the best single action (push) 0.34.
//
// Pure: users come from the seed alone; every reward draw uses the generator the caller passes.

import { SeededRandom } from '../learners/random.js';

export const PLANNING_PLATFORMS = ['ios', 'android', 'web'] as const;
export type PlanningPlatform = (typeof PLANNING_PLATFORMS)[number];

/** What the predictor would see of a user: the features of a decide request. */
export interface PlanningContext {
  /** Whole years, 18..80. */
  readonly age: number;
  /** Sessions in the last month, 0..50. */
  readonly sessions: number;
  readonly platform: PlanningPlatform;
}

export interface PlanningUser {
  /** The entity of decisions about this user: user-0000, user-0001, ... */
  readonly entity: string;
  readonly context: PlanningContext;
}

/** One action's logit σ⁻¹(P(reward)) = bias + age·ageZ + sessions·sessionsZ + platform[p], where
 * ageZ = (age − 49)/31 and sessionsZ = (sessions − 25)/25 both lie in [−1, 1]. */
export interface PlanningArm {
  readonly bias: number;
  readonly age: number;
  readonly sessions: number;
  readonly platform: Readonly<Record<PlanningPlatform, number>>;
}

/** The default arms. Tuned so that each action is best for 25–45 % of a seeded population. */
export const DEFAULT_PLANNING_ARMS: Readonly<Record<string, PlanningArm>> = {
  email: { bias: -0.9, age: 1.3, sessions: -0.2, platform: { ios: -0.1, android: -0.1, web: 0.5 } },
  push: { bias: -0.85, age: -1.1, sessions: 0.9, platform: { ios: 0.3, android: 0.2, web: -0.9 } },
  sms: { bias: -0.85, age: 0.1, sessions: -1.3, platform: { ios: -0.3, android: 0.3, web: 0 } },
};

export interface PlanningSimulatorOptions {
  /** Any integer; the same seed gives the same users. */
  readonly seed: number;
  /** Population size, a positive integer; default 1000. */
  readonly users?: number;
  /** The actions and their reward models, in action order; default DEFAULT_PLANNING_ARMS. */
  readonly arms?: Readonly<Record<string, PlanningArm>>;
}

/** A stochastic policy: P(action) for each action in one context; the probabilities sum to 1. The
 * user is passed too, for policies that depend on more than the context (e.g. per-user scores). */
export type PlanningPolicy = (context: PlanningContext, user: PlanningUser) => Readonly<Record<string, number>>;

/** Where the population's shares of platforms lie: ios 45 %, android 40 %, web 15 %. */
const PLATFORM_CUMULATIVE: readonly [PlanningPlatform, number][] = [
  ['ios', 0.45],
  ['android', 0.85],
  ['web', 1],
];

/** How far a policy's probabilities may stray from summing to 1. */
const SUM_TOLERANCE = 1e-9;

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

function drawContext(random: SeededRandom): PlanningContext {
  const age = 18 + Math.floor(random.next() * 63);
  const sessions = Math.floor(random.next() * 51);
  const u = random.next();
  const platform = PLATFORM_CUMULATIVE.find(([, cumulative]) => u < cumulative)![0];
  return { age, sessions, platform };
}

export class PlanningSimulator {
  readonly actions: readonly string[];
  readonly users: readonly PlanningUser[];
  private readonly arms: Readonly<Record<string, PlanningArm>>;

  constructor(options: PlanningSimulatorOptions) {
    const { seed, users = 1000, arms = DEFAULT_PLANNING_ARMS } = options;
    if (!Number.isSafeInteger(seed))
      throw new RangeError(`planning simulator seed: ${seed} is not an integer; pass any whole number, e.g. 42`);
    if (!Number.isSafeInteger(users) || users < 1)
      throw new RangeError(`planning simulator users: ${users} is not a whole number ≥ 1; the default is 1000`);
    this.actions = Object.keys(arms);
    if (this.actions.length < 2)
      throw new RangeError(`a planning simulator needs at least 2 actions to choose from, got ${this.actions.length}`);
    this.arms = arms;
    const random = new SeededRandom(seed);
    const width = String(users - 1).length;
    this.users = Array.from({ length: users }, (_, i) => ({
      entity: `user-${String(i).padStart(Math.max(4, width), '0')}`,
      context: drawContext(random),
    }));
  }

  /** The i-th user (0-based); a RangeError outside the population. */
  user(i: number): PlanningUser {
    const user = this.users[i];
    if (!Number.isInteger(i) || user === undefined)
      throw new RangeError(`no user ${i}: the population has users 0..${this.users.length - 1}`);
    return user;
  }

  /** P(reward = 1 | context, action), strictly inside (0, 1). */
  rewardProbability(context: PlanningContext, action: string): number {
    const arm = this.arms[action];
    if (arm === undefined)
      throw new RangeError(`unknown action "${action}": the simulator's actions are ${this.actions.join(', ')}`);
    return sigmoid(
      arm.bias +
        (arm.age * (context.age - 49)) / 31 +
        (arm.sessions * (context.sessions - 25)) / 25 +
        arm.platform[context.platform],
    );
  }

  /** 1 with probability rewardProbability(context, action), from one uniform draw of `random`. */
  drawReward(context: PlanningContext, action: string, random: { next(): number }): 0 | 1 {
    return random.next() < this.rewardProbability(context, action) ? 1 : 0;
  }

  /** The action with the largest reward probability (the first in action order on an exact tie). */
  oracleAction(context: PlanningContext): string {
    let best = this.actions[0]!;
    let bestProbability = this.rewardProbability(context, best);
    for (const action of this.actions.slice(1)) {
      const p = this.rewardProbability(context, action);
      if (p > bestProbability) [best, bestProbability] = [action, p];
    }
    return best;
  }

  /** The mean over users of the best action's reward probability: no policy does better. */
  oracleValue(): number {
    return this.valueOf((context) => ({ [this.oracleAction(context)]: 1 }));
  }

  /** The exact expected reward per decision of `policy` for a user drawn uniformly from the
   * population: mean over users of Σₐ π(a|u)·P(reward | u, a). A RangeError when the policy names
   * an unknown action, gives a probability outside [0, 1], or its probabilities do not sum to 1. */
  valueOf(policy: PlanningPolicy): number {
    let total = 0;
    for (const user of this.users) {
      const probabilities = policy(user.context, user);
      let sum = 0;
      let expected = 0;
      for (const action in probabilities) {
        const p = probabilities[action]!;
        if (!(p >= 0 && p <= 1))
          throw new RangeError(`${user.entity}: the policy's probability of "${action}" must be in [0, 1], got ${p}`);
        sum += p;
        if (p > 0) expected += p * this.rewardProbability(user.context, action);
      }
      if (Math.abs(sum - 1) > SUM_TOLERANCE)
        throw new RangeError(`${user.entity}: the policy's probabilities must sum to 1, got ${sum}`);
      total += expected;
    }
    return total / this.users.length;
  }

  /** The value of always taking `action`. */
  actionValue(action: string): number {
    return this.valueOf(() => ({ [action]: 1 }));
  }

  /** The value of choosing uniformly at random; computed by valueOf, so the two agree to the bit. */
  uniformValue(): number {
    const uniform = Object.fromEntries(this.actions.map((a) => [a, 1 / this.actions.length]));
    return this.valueOf(() => uniform);
  }
}
