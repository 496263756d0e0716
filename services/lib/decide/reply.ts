// The reply to a decide request (DESIGN.md: public interfaces), declared once for the predictor
// that sends it and the SDK that reads it.

export interface DecideReply {
  decisionId: string;
  blueprint: string;
  /** The blueprint version that decided. */
  version: number;
  /** The model version that scored, or null before any model. */
  model: string | null;
  /** That model's family (logistic, mlp, gbdt, linucb, ...): null when `model` is. */
  family: string | null;
  score: number | null;
  /** Planning: each action's estimated reward in this context (the model's, before exploration); ranking: each candidate's score. */
  scores?: Record<string, number>;
  /** Ranking: the top k candidate ids, best first (`action` is the first). */
  ranking?: string[];
  action: string;
  /** Probability that this action was chosen, given the score. */
  propensity: number;
  fallback: boolean;
  /** Why the default was returned: no_model, deadline, features_unavailable (and unreachable, from the SDK). */
  fallbackReason?: string;
  /** True when exploration, not the policy, chose the action. */
  explored?: boolean;
  /** True when the caller's own action was returned (apprentice mode: the model has not taken over yet). */
  apprentice?: boolean;
}

/** Every refusal is a reply too, never a silent timeout. */
export interface DecideErrorReply {
  error: { code: string; message: string };
}
