// Periodic work in a service: each run starts `delayMs()` after the previous one ended, so runs
// never overlap however long one takes, and a failed run is reported and the next still comes.

/** Starts repeating `work`; returns the function that stops it (for the service's shutdown). */
export function repeatAfter(
  work: () => Promise<void>,
  delayMs: () => number,
  onError: (error: unknown) => void,
): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      work().catch(onError).finally(schedule);
    }, delayMs());
  };
  schedule();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
