// Model lineages as the monitor reads them: which continuation chain a version belongs to, and the
// version whose published figure is the chain's go-live reference for metric_drop. A lineage
// republished every few seconds grows by thousands of versions a day, so both answers are
// remembered and each new version's walk stops where the last one ended.
import type { QualityMetric } from '../lib/monitoring/quality-plan.js';
import type { ModelInfo } from './measures.js';

/** Examples read for online quality: the live figure metric_drop compares is measured on as many. */
export const RECENT_EXAMPLES = 1000;
/**
 * Examples a lineage's published figure must rest on to be its go-live reference for metric_drop:
 * as many as the live figure is measured on, so that the two are equally noisy. A version that
 * does not say how many (the `examples` metric) is taken as it is.
 */
export const GO_LIVE_MIN_EXAMPLES = RECENT_EXAMPLES;
/** Parent links followed at most, for a lineage or its reference. */
const MAX_HOPS = 100_000;
/** Versions whose lineage is remembered; past this the memo starts afresh. */
const LINEAGES_REMEMBERED = 50_000;

export interface GoLiveReference {
  readonly version: string;
  readonly metrics: Readonly<Record<string, number>>;
}

export class ModelLineages {
  /** Each version's lineage, once its chain was followed to a root. */
  private readonly lineageMemo = new Map<string, string>();
  /** Per lineage: its go-live reference once found, and the newest version already searched. */
  private readonly goLive = new Map<string, { found: string | null; searched: string }>();

  constructor(private readonly modelInfo: (version: string) => ModelInfo | undefined) {}

  /** The first version of the continuation chain `version` belongs to. */
  lineageOf(version: string): string {
    const memo = this.lineageMemo.get(version);
    if (memo !== undefined) return memo;
    let current = version;
    let rooted = false;
    for (let hops = 0; hops < MAX_HOPS; hops++) {
      const known = this.lineageMemo.get(current);
      if (known !== undefined) {
        current = known;
        rooted = true;
        break;
      }
      const info = this.modelInfo(current);
      if (info === undefined || info.parentVersion === null) {
        // Only a chain followed to a version known to be a root is remembered: an unknown version
        // may be a continuation whose record has not arrived yet.
        rooted = info !== undefined;
        break;
      }
      current = info.parentVersion;
    }
    if (rooted) {
      if (this.lineageMemo.size >= LINEAGES_REMEMBERED) this.lineageMemo.clear();
      this.lineageMemo.set(version, current);
    }
    return current;
  }

  /**
   * The go-live version of `lineage` and its published metrics: its oldest version with a figure
   * in one of `dropMetrics` that rests on GO_LIVE_MIN_EXAMPLES (the first one, for a lineage that
   * went live with such a figure). Found once, then fixed; until then each call searches only the
   * versions published since the last.
   */
  goLiveReference(version: string, lineage: string, dropMetrics: readonly QualityMetric[]): GoLiveReference | null {
    const known = this.goLive.get(lineage);
    if (known?.found) {
      const info = this.modelInfo(known.found);
      return info === undefined ? null : { version: known.found, metrics: info.metrics };
    }
    let found: GoLiveReference | null = null;
    let current: string | null = version;
    let complete = false;
    for (let hops = 0; current !== null && hops < MAX_HOPS; hops++) {
      if (current === known?.searched) {
        complete = true;
        break;
      }
      const info = this.modelInfo(current);
      if (info === undefined) break;
      const examples = info.metrics['examples'];
      const figure = dropMetrics.some((m) => Number.isFinite(info.metrics[m]));
      if (figure && (examples === undefined || examples >= GO_LIVE_MIN_EXAMPLES))
        found = { version: current, metrics: info.metrics };
      if (info.parentVersion === null) complete = true;
      current = info.parentVersion;
    }
    // A chain with a version not known yet is searched whole again next time: an older version
    // beyond the gap may be the one.
    if (!complete) return null;
    this.goLive.set(lineage, { found: found?.version ?? null, searched: version });
    return found;
  }

  /** Another set of drop metrics chooses another go-live version: search again. */
  forgetGoLive(): void {
    this.goLive.clear();
  }
}
