// The report's arithmetic (pure): the spread of each figure over a variant's versions, the
// version-to-version steps, and the markdown table the CLI prints.
import type { Figures } from './measures.js';
import type { RunResult } from './loop.js';

export const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
export const sd = (xs: readonly number[]) => {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
};
export const pct = (x: number, digits = 1) => `${(x * 100).toFixed(digits)}`;
export const signed = (x: number) => `${x >= 0 ? '+' : '−'}${pct(Math.abs(x))}`;

export interface Spread {
  mean: number;
  sd: number;
  /** Mean over runs of the sd over one run's snapshots: the version-to-version jitter alone. */
  withinSd: number;
  min: number;
  max: number;
}

export function spread(perRun: readonly (readonly number[])[]): Spread {
  const all = perRun.flat();
  return {
    mean: mean(all),
    sd: sd(all),
    withinSd: mean(perRun.filter((r) => r.length >= 2).map(sd)),
    min: Math.min(...all),
    max: Math.max(...all),
  };
}

export interface Summary {
  variant: string;
  snapshots: number;
  seconds: number;
  /** |Δ gap| between successive versions of a run. */
  step: { mean: number; max: number };
  /** Each version on the whole population when it starts serving. */
  pop: { gap: Spread; absGap: number; share: Spread; net: Spread; bias: Spread };
  /** Each version on the decisions it served (versions that served ≥ 1,000). */
  served: { gap: Spread; share: Spread; net: Spread };
  /** Each run's last 6,000 decisions (the integration test's judged window). */
  judged: { gap: Spread; share: Spread; net: Spread };
}

/** Versions taken after `minLearned` examples (warm start included) count; #0, the common warm start, never does. */
export function summarise(variant: string, runs: readonly RunResult[], minLearned = 0): Summary {
  // A version counts once it served (its population figure is set then).
  const counted = runs.map((r) =>
    r.snapshots.filter((s) => s.index > 0 && s.population !== null && s.learnedExamples >= minLearned),
  );
  const pop = counted.map((snaps) => snaps.map((s) => s.population!));
  const served = counted.map((snaps) =>
    snaps.map((s) => s.served).filter((f): f is Figures => f !== null && f.n >= 1000),
  );
  // The change of the send-rate gap from one version to the next (the test's "/3 sent 31.4 %, the next 36.7 %").
  const steps = pop.flatMap((fs) => fs.slice(1).map((f, i) => Math.abs(f.gap - fs[i]!.gap)));
  const of = (fs: readonly (readonly Figures[])[], pick: (f: Figures) => number) => spread(fs.map((r) => r.map(pick)));
  const judged = runs.map((r) => [r.judged]);
  return {
    variant,
    snapshots: pop.flat().length,
    seconds: runs.reduce((a, r) => a + r.seconds, 0),
    step: { mean: steps.length > 0 ? mean(steps) : NaN, max: steps.length > 0 ? Math.max(...steps) : NaN },
    pop: {
      gap: of(pop, (f) => f.gap),
      absGap: mean(pop.flat().map((f) => Math.abs(f.gap))),
      share: of(pop, (f) => f.share),
      net: of(pop, (f) => f.netShare),
      bias: of(pop, (f) => f.bias),
    },
    served: { gap: of(served, (f) => f.gap), share: of(served, (f) => f.share), net: of(served, (f) => f.netShare) },
    judged: { gap: of(judged, (f) => f.gap), share: of(judged, (f) => f.share), net: of(judged, (f) => f.netShare) },
  };
}

export function table(summaries: readonly Summary[]): string {
  const lines = [
    '| variant | versions | gap: mean ± sd (within-run sd) [min, max] | mean abs gap | version-to-version abs Δgap: mean, max | click share: mean ± sd [min] | net share: mean ± sd [min] | bias | served decisions: gap ± sd, share ± sd [min] | last 6k: share mean [min], net [min] | time s |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const s of summaries) {
    const p = s.pop;
    lines.push(
      `| ${s.variant} | ${s.snapshots} | ${signed(p.gap.mean)} ± ${pct(p.gap.sd)} (${pct(p.gap.withinSd)}) [${signed(p.gap.min)}, ${signed(p.gap.max)}] | ${pct(p.absGap)} | ${pct(s.step.mean)}, ${pct(s.step.max)} | ${pct(p.share.mean)} ± ${pct(p.share.sd)} [${pct(p.share.min)}] | ${pct(p.net.mean)} ± ${pct(p.net.sd)} [${pct(p.net.min)}] | ${signed(p.bias.mean)} | ${signed(s.served.gap.mean)} ± ${pct(s.served.gap.sd)}, ${pct(s.served.share.mean)} ± ${pct(s.served.share.sd)} [${pct(s.served.share.min)}] | ${pct(s.judged.share.mean)} [${pct(s.judged.share.min)}], ${pct(s.judged.net.mean)} [${pct(s.judged.net.min)}] | ${s.seconds.toFixed(0)} |`,
    );
  }
  return lines.join('\n');
}
