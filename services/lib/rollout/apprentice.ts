// Apprentice mode, pure: how often the model's own action (what it chose before exploration, logged
// as the decision's modelAction) equals the caller's, over the latest decisions — and when that is
// enough for the model to take over.
import type { Blueprint, BlueprintApprentice, Decision } from '../schemas/generated.js';
import { policyAction } from '../decide/policy.js';
import type { Verdict } from './judge.js';

/**
 * The model's own action in a logged decision; null when it cannot be known. A record written
 * before modelAction was logged (Decision v1) reads it as null: under a threshold policy the action
 * follows from the score alone, but a bandit's choice (LinUCB's bound, Thompson's sample) was never
 * logged, and counting a guess such as the best mean would let a caller that sends the default
 * agree with a model that never chose it.
 */
export function modelActionOf(
  bp: Pick<Blueprint, 'decision'>,
  decision: Pick<Decision, 'modelAction' | 'score'>,
): string | null {
  if (decision.modelAction !== null) return decision.modelAction;
  return decision.score !== null && bp.decision.policy === 'threshold'
    ? policyAction(bp.decision, decision.score)
    : null;
}

/** Agreement over the latest `size` decisions that carry both the model's own action and the caller's. */
export class AgreementWindow {
  private readonly agreed: boolean[] = [];
  private next = 0;
  private agreements = 0;

  constructor(private readonly size: number) {}

  /** Adds a decision; ignored when it lacks the caller's action or the model's own. */
  observe(
    bp: Pick<Blueprint, 'decision'>,
    decision: Pick<Decision, 'apprenticeAction' | 'modelAction' | 'score'>,
  ): void {
    if (decision.apprenticeAction === null) return;
    const own = modelActionOf(bp, decision);
    if (own === null) return;
    const agree = own === decision.apprenticeAction;
    if (this.agreed.length < this.size) this.agreed.push(agree);
    else {
      if (this.agreed[this.next]) this.agreements--;
      this.agreed[this.next] = agree;
      this.next = (this.next + 1) % this.size;
    }
    if (agree) this.agreements++;
  }

  get count(): number {
    return this.agreed.length;
  }

  /** Share of the window in agreement; NaN while empty. */
  get share(): number {
    return this.agreed.length === 0 ? Number.NaN : this.agreements / this.agreed.length;
  }
}

const percent = (share: number) => `${(100 * share).toFixed(1)} %`;

/** Whether the model takes over: enough decisions in the window, and agreement at take_over_at or above. */
export function judgeTakeover(window: AgreementWindow, apprentice: BlueprintApprentice): Verdict {
  const facts = `the model agrees with the caller on ${Number.isNaN(window.share) ? '—' : percent(window.share)} of the last ${window.count} decisions`;
  if (window.count < apprentice.minDecisions)
    return { kind: 'wait', reason: `${facts}; ${apprentice.minDecisions} are needed` };
  if (window.share >= apprentice.takeOverAt)
    return {
      kind: 'promote',
      reason: `apprentice: ${facts} (take_over_at ${percent(apprentice.takeOverAt)}): the model decides from now on`,
    };
  return { kind: 'wait', reason: `${facts}, under take_over_at ${percent(apprentice.takeOverAt)}` };
}
