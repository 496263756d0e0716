// Apprentice mode, pure: how often the model's action (its policy applied to its score, without
// exploration) equals the caller's own, over the latest decisions — and when that is enough for
// the model to take over.
import type { Blueprint, BlueprintApprentice, Decision } from '../schemas/generated.js';
import { policyAction } from '../decide/policy.js';
import type { Verdict } from './judge.js';

/** Agreement over the latest `size` decisions that carry both a model score and the caller's action. */
export class AgreementWindow {
  private readonly agreed: boolean[] = [];
  private next = 0;
  private agreements = 0;

  constructor(private readonly size: number) {}

  /** Adds a decision; ignored when it lacks the caller's action or a model score. */
  observe(bp: Pick<Blueprint, 'decision'>, decision: Pick<Decision, 'apprenticeAction' | 'score'>): void {
    if (decision.apprenticeAction === null || decision.score === null) return;
    const agree = policyAction(bp.decision, decision.score) === decision.apprenticeAction;
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
