// A NATS request that nothing subscribes to fails at once with the server's 503 status, not after
// its timeout. On Looper's request subjects that means no predictor is running, a different fix
// from a reply that came too late, so the SDK and the CLI say it in the same words, read here.
import { ErrorCode } from 'nats';

/** Whether a request failed because nothing subscribes to its subject (nats.js's ErrorCode.NoResponders). */
export function isNoResponders(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === ErrorCode.NoResponders;
}

export interface NoRespondersContext {
  /** The NATS server asked, for a caller that may be pointed at the wrong one. */
  natsUrl?: string;
  /** Another way to go on while the services are down, e.g. "report with { via: 'kafka' }". */
  otherwise?: string;
}

/**
 * What to tell a caller whose request on `subject` no predictor answered; null when `error` is
 * another failure (a timeout: the request may have been handled, its reply late), which the caller
 * words itself.
 */
export function noPredictorAnswers(subject: string, error: unknown, context: NoRespondersContext = {}): string | null {
  if (!isNoResponders(error)) return null;
  const on = context.natsUrl === undefined ? '' : ` on ${context.natsUrl}`;
  const otherwise = context.otherwise === undefined ? '' : `, or ${context.otherwise}`;
  return `no predictor answers ${subject}${on}: start Looper's services (npx looper up)${otherwise}`;
}
