// The weighting report (pure): for each variant on one world, how much of the oracle's lift its
// versions reach early and once settled, how far successive settled versions differ, how many
// versions fall under the decision-loop test's bar, and where the settled loop sits against the
// oracle and against the converged offline fit (the bias a weighting buys).
import type { Figures } from './measures.js';
import type { RunResult, SnapshotRecord } from './loop.js';
import type { ReferenceResult } from './reference.js';
import { mean, pct, signed } from './summary.js';

/** The decision-loop test's bars: 90 % of the oracle's lift in clicks, 60 % of its net clicks. */
const BAR = 0.9;
const NET_BAR = 0.6;

export interface VersionGroup {
  versions: number;
  /** Mean over versions of Σ truth where it sends / where the oracle sends (the test's lift). */
  click: number;
  /** Mean over versions of the net clicks (truth − threshold) where it sends / where the oracle sends (the scoreboard's lift). */
  net: number;
  /** The lowest version's net share. */
  netMin: number;
  /** Share of versions under 90 % of the oracle's lift in clicks. */
  underBar: number;
  /** Share of versions under 60 % of the oracle's net clicks. */
  underNetBar: number;
  /** |Δ gap| between successive versions of a run: mean and max. */
  step: { mean: number; max: number };
  /** Mean send rate − oracle send rate. */
  gap: number;
  sendRate: number;
  oracleSendRate: number;
  /** Mean score − mean truth. */
  bias: number;
}

export interface WeightingRow {
  world: string;
  variant: string;
  /** Versions that started serving before `early` decisions: the decision-loop test's regime. */
  early: VersionGroup;
  /** Versions taken after `settle` examples were learned. */
  settled: VersionGroup;
}

/** A share in percent; a version that loses net clicks has a negative one. */
const share = (x: number) => (x < 0 ? `−${pct(-x)}` : pct(x));

function group(perRun: readonly (readonly Figures[])[]): VersionGroup {
  const all = perRun.flat();
  const steps = perRun.flatMap((fs) => fs.slice(1).map((f, i) => Math.abs(f.gap - fs[i]!.gap)));
  const of = (pick: (f: Figures) => number) => mean(all.map(pick));
  return {
    versions: all.length,
    click: of((f) => f.share),
    net: of((f) => f.netShare),
    netMin: Math.min(...all.map((f) => f.netShare)),
    underBar: all.filter((f) => f.share < BAR).length / all.length,
    underNetBar: all.filter((f) => f.netShare < NET_BAR).length / all.length,
    step: { mean: steps.length > 0 ? mean(steps) : NaN, max: steps.length > 0 ? Math.max(...steps) : NaN },
    gap: of((f) => f.gap),
    sendRate: of((f) => f.sendRate),
    oracleSendRate: of((f) => f.oracleSendRate),
    bias: of((f) => f.bias),
  };
}

/** Each run's served versions (never #0, the common warm start) that `counts`, on the population. */
const versions = (runs: readonly RunResult[], counts: (s: SnapshotRecord) => boolean): Figures[][] =>
  runs.map((r) =>
    r.snapshots.filter((s) => s.index > 0 && s.population !== null && counts(s)).map((s) => s.population!),
  );

export function weightingRow(
  world: string,
  variant: string,
  runs: readonly RunResult[],
  bounds: { early: number; settle: number },
): WeightingRow {
  return {
    world,
    variant,
    early: group(versions(runs, (s) => s.servedFrom !== null && s.servedFrom < bounds.early)),
    settled: group(versions(runs, (s) => s.learnedExamples >= bounds.settle)),
  };
}

export function weightingTable(rows: readonly WeightingRow[]): string {
  const lines = [
    '| world | variant | lift in clicks, early / settled | net lift, early / settled [lowest settled] | versions under 90 % of the lift in clicks, early / settled | under 60 % of the net lift, early / settled | successive settled versions differ by, mean (max) | settled send rate (oracle, gap) | settled bias |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const { world, variant, early: e, settled: s } of rows) {
    lines.push(
      `| ${world} | ${variant} | ${pct(e.click)} / ${pct(s.click)} | ${pct(e.net)} / ${pct(s.net)} [${share(s.netMin)}] | ${pct(e.underBar)} / ${pct(s.underBar)} | ${pct(e.underNetBar)} / ${pct(s.underNetBar)} | ${pct(s.step.mean)} (${pct(s.step.max)}) | ${pct(s.sendRate)} (${pct(s.oracleSendRate)}, ${signed(s.gap)}) | ${signed(s.bias)} |`,
    );
  }
  return lines.join('\n');
}

/** The converged offline fit's row: what a logistic regression of this world reaches without the loop. */
export function referenceLine(world: string, reference: readonly ReferenceResult[]): string {
  const f = reference.map((r) => r.figures);
  const of = (pick: (x: Figures) => number) => mean(f.map(pick));
  return `| ${world} | converged offline fit (no loop) | ${pct(of((x) => x.share))} | ${pct(of((x) => x.netShare))} [${share(Math.min(...f.map((x) => x.netShare)))}] | ${pct(f.filter((x) => x.share < BAR).length / f.length)} | ${pct(f.filter((x) => x.netShare < NET_BAR).length / f.length)} | — | ${pct(of((x) => x.sendRate))} (${pct(of((x) => x.oracleSendRate))}, ${signed(of((x) => x.gap))}) | ${signed(of((x) => x.bias))} |`;
}
