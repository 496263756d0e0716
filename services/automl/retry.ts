// What an attempt at a search leaves for the next one. A search refused because its replay held
// too few examples waits for as many more examples as it lacked, not for a time: a clock wait
// either starts it again before they have arrived (another refusal, another full replay) or long
// after. Any other failure or refusal waits RETRY_AFTER_MS, or the schedule when that is shorter.
// Pure: the service supplies the clock and the examples it has counted.
import { spanText } from '../lib/duration-text.js';
import type { SearchState } from './triggers.js';

/** The longest wait after a search or retrain that failed, or was refused for anything but too few examples. */
export const RETRY_AFTER_MS = 5 * 60 * 1000;

/**
 * How long to wait before trying again, for a search on `automl.schedule` or a retrain on
 * `training.retrain`: a schedule shorter than RETRY_AFTER_MS asks for that work more often than
 * the retry would allow, so it shortens the wait.
 */
export function retryWaitMs(scheduleMs: number): number {
  return Math.min(RETRY_AFTER_MS, scheduleMs);
}

/** How an attempt ended. */
export type SearchAttempt =
  /** It ran to its choice, with or without a candidate to publish. */
  | {
      readonly kind: 'ran';
      readonly startedAt: number;
      readonly blueprintVersion: number;
      readonly candidate: boolean;
      readonly byAlert: boolean;
    }
  /** Its replay, of the examples since `sinceTs` (null: all retained), held `examples` of the `needed`. */
  | { readonly kind: 'too_few'; readonly sinceTs: number | null; readonly examples: number; readonly needed: number }
  /** Anything else: a split or a label it could not judge on, a broker that did not answer. */
  | { readonly kind: 'failed' };

export interface AfterAttempt {
  readonly state: SearchState;
  /** When the next try may come, for the log line; null after a search that ran (nothing is retried). */
  readonly next: string | null;
}

/**
 * The state after an attempt that ended at `now`, with `examples` counted then (SearchHistory's
 * count), for a blueprint searched every `scheduleMs`.
 */
export function afterAttempt(
  state: SearchState,
  attempt: SearchAttempt,
  at: { readonly now: number; readonly examples: number; readonly scheduleMs: number },
): AfterAttempt {
  const wait = retryWaitMs(at.scheduleMs);
  switch (attempt.kind) {
    case 'ran':
      // Times are the search's start, as its record's createdAt: an alert raised while it ran is not
      // answered by it. One that found no feasible configuration holds back a blueprint change's or
      // an alert's search for the retry wait, as a failure does: the same examples would be searched.
      return {
        state: {
          lastSearchAt: attempt.startedAt,
          lastBlueprintVersion: attempt.blueprintVersion,
          notBefore: attempt.candidate ? null : at.now + wait,
          lastAlertSearchAt: attempt.byAlert ? attempt.startedAt : (state.lastAlertSearchAt ?? null),
          short: null,
        },
        next: null,
      };
    case 'too_few': {
      const lacking = Math.max(1, attempt.needed - attempt.examples);
      return {
        state: { ...state, notBefore: null, short: { sinceTs: attempt.sinceTs, until: at.examples + lacking } },
        next: `next try once ${lacking} more examples have arrived`,
      };
    }
    case 'failed':
      return { state: { ...state, notBefore: at.now + wait }, next: `next try in ${spanText(wait)}` };
  }
}
