// A planning world that changes once, at a known step: the same users with the same contexts (the
// features keep their meaning, so no drift alert can see it), but from that step on one action —
// the offer — suits the opposite users: its weights on age, sessions and platform change sign and
// its base rate stays. It is what a quality-shift alert and forgetting learners are tested against,
// with the exact answer on both sides of the change.
//
// With the default arms, seed 42 and sms as the offer, the best action changes for 45 % of the users
// (rare visitors answered sms, now frequent ones do), the oracle earns 0.483 a decision instead of
// 0.502, and email and push are untouched — so a lift over the default (email) means the same thing
// in both worlds. The bias is kept so that the change is in whom the offer suits, not in how often
// it pays overall (its value moves only from 0.312 to 0.333): recovering means learning who it suits.
//
// Pure: both worlds are PlanningSimulators of the same seed; which one answers depends only on the
// step the caller passes.

import {
  DEFAULT_PLANNING_ARMS,
  PlanningSimulator,
  type PlanningArm,
  type PlanningSimulatorOptions,
} from './planning.js';

/** The arm that suits the opposite users: every feature weight negated, the bias kept. */
export function oppositeArm(arm: PlanningArm): PlanningArm {
  return {
    bias: arm.bias,
    age: -arm.age,
    sessions: -arm.sessions,
    platform: { ios: -arm.platform.ios, android: -arm.platform.android, web: -arm.platform.web },
  };
}

export interface ShiftingPlanningOptions extends PlanningSimulatorOptions {
  /** The action whose reward model turns to the opposite users. */
  readonly offer: string;
  /** The first step (0-based decision number) of the changed world; Infinity: the world never changes. */
  readonly shiftAt: number;
}

export class ShiftingPlanningSimulator {
  /** The world before `shiftAt`, and from it on; the same users in both. */
  readonly before: PlanningSimulator;
  readonly after: PlanningSimulator;
  readonly offer: string;
  readonly shiftAt: number;

  constructor(options: ShiftingPlanningOptions) {
    const { offer, shiftAt, ...rest } = options;
    if (!(shiftAt === Infinity || (Number.isSafeInteger(shiftAt) && shiftAt >= 0)))
      throw new RangeError(
        `shifting planning simulator shiftAt: ${shiftAt} is not a step; pass a whole number ≥ 0, or Infinity for a world that never changes`,
      );
    this.before = new PlanningSimulator(rest);
    const arms = rest.arms ?? DEFAULT_PLANNING_ARMS;
    const arm = arms[offer];
    if (arm === undefined)
      throw new RangeError(
        `shifting planning simulator offer: "${offer}" is not an action; the actions are ${this.before.actions.join(', ')}`,
      );
    this.after = new PlanningSimulator({ ...rest, arms: { ...arms, [offer]: oppositeArm(arm) } });
    this.offer = offer;
    this.shiftAt = shiftAt;
  }

  get actions(): readonly string[] {
    return this.before.actions;
  }

  get users(): PlanningSimulator['users'] {
    return this.before.users;
  }

  /** The world that rewards the `step`-th decision (0-based). */
  at(step: number): PlanningSimulator {
    if (!(Number.isSafeInteger(step) && step >= 0))
      throw new RangeError(`step ${step} is not a decision number; steps are whole numbers from 0`);
    return step < this.shiftAt ? this.before : this.after;
  }

  /** The share of users whose best action differs between the two worlds. */
  changedShare(): number {
    let changed = 0;
    for (const { context } of this.users)
      if (this.before.oracleAction(context) !== this.after.oracleAction(context)) changed++;
    return changed / this.users.length;
  }
}
