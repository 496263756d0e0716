// Traffic, latency and fallbacks per model version: the same measures as per blueprint, split by
// the version each decision logged (null: no model answered, the default did). Only the versions
// that answered among the recent decisions are reported, at most MAX_VERSIONS_REPORTED, so the
// series on looper.metrics and /metrics stay bounded however often the trainer publishes.
import { EventRate, quantile } from './recent.js';

/** Versions reported per blueprint: the ones that decided most recently. */
export const MAX_VERSIONS_REPORTED = 20;

export interface VersionDecision {
  readonly modelVersion: string | null;
  readonly ts: number;
  readonly latencyUs: number;
  readonly fallback: boolean;
}

export interface VersionTraffic {
  /** null: decisions no model answered (the blueprint's default). */
  readonly modelVersion: string | null;
  /** Its decisions among the recent ones. */
  readonly decisions: number;
  /** Its decisions per second over the last minute. */
  readonly requestRate: number;
  readonly decideP50Ms: number | null;
  /** Given from `minForP99` decisions on, like the blueprint's. */
  readonly decideP99Ms: number | null;
  readonly fallbackRate: number | null;
}

const NO_MODEL = '\u0000none';
const keyOf = (version: string | null) => version ?? NO_MODEL;

/** Decisions per second per version over the last minute; a version silent for `forgetMs` is dropped. */
export class VersionRates {
  private readonly rates = new Map<string, { rate: EventRate; lastTs: number }>();

  constructor(readonly forgetMs: number) {}

  add(version: string | null, ts: number): void {
    const key = keyOf(version);
    let entry = this.rates.get(key);
    if (!entry) this.rates.set(key, (entry = { rate: new EventRate(60_000), lastTs: ts }));
    entry.rate.add(ts);
    entry.lastTs = Math.max(entry.lastTs, ts);
  }

  perSecond(version: string | null, now: number): number {
    return this.rates.get(keyOf(version))?.rate.perSecond(now) ?? 0;
  }

  /** Drops the versions with no decision since `now − forgetMs`. */
  forget(now: number): void {
    for (const [key, entry] of this.rates) if (entry.lastTs < now - this.forgetMs) this.rates.delete(key);
  }

  get size(): number {
    return this.rates.size;
  }
}

/** The recent decisions (oldest first) grouped by version, the version that decided last first. */
export function versionTraffic(
  recent: readonly VersionDecision[],
  rates: Pick<VersionRates, 'perSecond'>,
  now: number,
  minForP99: number,
): VersionTraffic[] {
  const groups = new Map<
    string,
    { version: string | null; lastTs: number; latenciesMs: number[]; fallbacks: number }
  >();
  for (const d of recent) {
    const key = keyOf(d.modelVersion);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { version: d.modelVersion, lastTs: d.ts, latenciesMs: [], fallbacks: 0 }));
    g.lastTs = Math.max(g.lastTs, d.ts);
    g.latenciesMs.push(d.latencyUs / 1000);
    if (d.fallback) g.fallbacks++;
  }
  return [...groups.values()]
    .sort((a, b) => b.lastTs - a.lastTs || (a.version ?? '').localeCompare(b.version ?? ''))
    .slice(0, MAX_VERSIONS_REPORTED)
    .map((g) => {
      const n = g.latenciesMs.length;
      return {
        modelVersion: g.version,
        decisions: n,
        requestRate: rates.perSecond(g.version, now),
        decideP50Ms: quantile(g.latenciesMs, 0.5),
        decideP99Ms: n >= minForP99 ? quantile(g.latenciesMs, 0.99) : null,
        fallbackRate: g.fallbacks / n,
      };
    });
}
