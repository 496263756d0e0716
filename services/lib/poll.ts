// Waiting for something that is eventually true (a service ready, a consumer caught up).
import { LooperError } from './errors.js';

/** Calls `probe` every `pollMs` until it returns a value (errors count as "not yet"); throws after `timeoutMs`. */
export async function pollUntil<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined> | T | undefined,
  pollMs = 300,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await Promise.resolve()
      .then(probe)
      .catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new LooperError('timeout', `timed out after ${timeoutMs / 1000} s waiting for ${what}`, {
        retriable: true,
      });
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
