/* global fetch, EventSource, setTimeout, clearTimeout */
// The monitor's JSON API and how updates reach the page: Server-Sent Events while they work,
// polling /api/overview every tick while they don't. The page only ever reads.

const DEFAULT_TICK_MS = 5000;
/** Without an event for this many ticks the stream is treated as stalled (e.g. a buffering proxy). */
const STALL_TICKS = 3;

async function getJson(url) {
  const res = await fetch(url, { headers: { accept: 'application/json' }, cache: 'no-store' });
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`);
  return res.json();
}

export function fetchOverview() {
  return getJson('/api/overview');
}

export function fetchSeries(blueprint) {
  return getJson(`/api/series?blueprint=${encodeURIComponent(blueprint)}`);
}

/**
 * Keeps overviews coming. onOverview(overview) for each one; onState(state) when the
 * connection changes: 'connecting' | 'live' (stream) | 'polling' (stream down, polls work) |
 * 'reconnecting' (nothing works right now).
 */
export function connect({ onOverview, onState }) {
  let tickMs = DEFAULT_TICK_MS;
  let source = null;
  let pollTimer = null;
  let stallTimer = null;
  let reopenTimer = null;
  let state = null;

  const setState = (next) => {
    if (next !== state) onState((state = next));
  };

  let lastNow = -Infinity;
  const deliver = (overview) => {
    if (overview === null || typeof overview !== 'object') return;
    // A poll still in flight when the stream resumes may answer with an older picture.
    if (typeof overview.now === 'number') {
      if (overview.now < lastNow) return;
      lastNow = overview.now;
    }
    if (typeof overview.tickMs === 'number' && overview.tickMs > 0) tickMs = overview.tickMs;
    onOverview(overview);
  };

  // --- polling, only while the stream is not delivering
  let polling = false;
  const poll = async () => {
    pollTimer = null;
    try {
      const overview = await fetchOverview();
      if (!polling) return; // the stream came back meanwhile
      deliver(overview);
      setState('polling');
    } catch (err) {
      console.warn('overview poll failed:', err.message);
      if (polling) setState('reconnecting');
    }
    if (polling) pollTimer = setTimeout(poll, tickMs);
  };
  const startPolling = () => {
    if (polling) return;
    polling = true;
    pollTimer = setTimeout(poll, 0);
  };
  const stopPolling = () => {
    polling = false;
    clearTimeout(pollTimer);
    pollTimer = null;
  };

  // --- the stream
  const watchForStall = () => {
    clearTimeout(stallTimer);
    stallTimer = setTimeout(() => {
      if (state === 'live') setState('reconnecting');
      startPolling();
    }, tickMs * STALL_TICKS);
  };

  const open = () => {
    reopenTimer = null;
    if (typeof EventSource === 'undefined') return startPolling();
    source = new EventSource('/api/stream');
    source.addEventListener('overview', (event) => {
      let overview;
      try {
        overview = JSON.parse(event.data);
      } catch (err) {
        console.warn('ignoring an overview event that is not JSON:', err.message);
        return;
      }
      stopPolling();
      setState('live');
      watchForStall();
      deliver(overview);
    });
    source.addEventListener('error', () => {
      // EventSource retries by itself while CONNECTING; once CLOSED (e.g. the server answered
      // with an error status) it gives up, so open a new one later. Poll in the meantime.
      if (state !== 'polling') setState('reconnecting');
      startPolling();
      if (source.readyState === EventSource.CLOSED && reopenTimer === null) {
        source = null;
        reopenTimer = setTimeout(open, tickMs * STALL_TICKS);
      }
    });
  };

  setState('connecting');
  // The first picture comes from a plain fetch so the page does not wait for the first tick.
  fetchOverview().then(deliver, (err) => console.warn('first overview failed:', err.message));
  open();
}
