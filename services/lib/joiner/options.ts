// Joiner options → compile → compiled options (CONTRIBUTING.md habit 6): how long the joiner remembers.
import { ConfigError } from '../errors.js';

export interface JoinerOptions {
  /**
   * How long an outcome whose decision has not arrived yet is kept, in ms of event time after the
   * outcome's ts. Decisions (keyed by entity) and outcomes (keyed by decision id) travel on
   * different partitions, so an outcome can be read before its decision; a decision is logged at
   * its ts, before any outcome of it, so with the joiner's clock a watermark (the oldest position
   * over its input partitions) the decision has been read long before this expires, unless it was
   * logged more than this late. An early outcome that outlives this belongs to a lost decision.
   */
  earlyOutcomeRetentionMs: number;
  /**
   * How long a done marker outlives its decision's window, in ms. It drops duplicate decisions
   * (producer retries, which sit seconds apart in the log) and duplicate outcomes. Past the window
   * every outcome is late and ignored anyway, so forgetting the marker can only let a duplicate
   * decision logged more than this after its window closed make a second example, which consumers
   * drop by exampleId (DESIGN.md: delivery and failure).
   */
  doneRetentionMs: number;
  /**
   * How long an event of a topic that labels match by entity is kept, in ms of event time after
   * its ts, for a decision read after it: decisions and product events travel on different topics,
   * so the event that follows a decision (the next page a user opens) can be read first.
   */
  recentEventRetentionMs: number;
}

export const joinerDefaults: JoinerOptions = {
  earlyOutcomeRetentionMs: 60 * 60 * 1000,
  doneRetentionMs: 60 * 60 * 1000,
  recentEventRetentionMs: 10 * 60 * 1000,
};

/** Fills in defaults and checks every value; all problems are reported at once. */
export function compileJoinerOptions(options: Partial<JoinerOptions> = {}): JoinerOptions {
  const compiled = { ...joinerDefaults, ...options };
  const problems: string[] = [];
  for (const key of ['earlyOutcomeRetentionMs', 'doneRetentionMs', 'recentEventRetentionMs'] as const) {
    const value = compiled[key];
    if (!Number.isSafeInteger(value) || value < 0) {
      problems.push(`joiner ${key}: ${value} is not a whole number of ms ≥ 0; the default is ${joinerDefaults[key]}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return compiled;
}
