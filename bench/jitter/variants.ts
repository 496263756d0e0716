// What each variant of the loop changes (data only): the learning rate, the example weights
// before mean-normalisation, the served parameters, or the live policy's explore share. Everything
// else is the loop of ./loop.ts.

export interface Variant {
  readonly name: string;
  readonly note: string;
  /** Adam's step size for a learning call, given the new examples learned so far (warm start included). */
  readonly learningRate: (learned: number) => number;
  /** Served parameters: EMA of the weights with this time constant in new examples learned; null: the weights as they are. */
  readonly emaExamples: number | null;
  /** The average starts once this many examples were learned (warm start included); before, the weights serve as they are. Default 0. */
  readonly emaFrom?: number;
  /** The weight an example is learned (and remembered for replay) with, from its training weight 1/propensity. */
  readonly weight: (w: number) => number;
  /** The explore share of the live policy; default the integration test's 4 %. */
  readonly explore?: number;
}

const constant = (rate: number) => () => rate;
const same = (w: number) => w;

export const VARIANTS: readonly Variant[] = [
  {
    // The trainer as it was when this bench was written; it learns with √(1/p) since (iw-sqrt).
    name: 'now',
    note: 'Adam 0.01, weights 1/p (≤ 100), snapshot served as is (the trainer before √ learning weights)',
    learningRate: constant(0.01),
    emaExamples: null,
    weight: same,
  },
  {
    name: 'ema-1k',
    note: 'as now, served = EMA of the weights, time constant 1,000 examples',
    learningRate: constant(0.01),
    emaExamples: 1000,
    weight: same,
  },
  {
    name: 'ema-3k',
    note: 'as now, served = EMA of the weights, time constant 3,000 examples',
    learningRate: constant(0.01),
    emaExamples: 3000,
    weight: same,
  },
  {
    name: 'lr-0.003',
    note: 'Adam at a constant 0.003',
    learningRate: constant(0.003),
    emaExamples: null,
    weight: same,
  },
  {
    name: 'lr-0.001',
    note: 'Adam at a constant 0.001',
    learningRate: constant(0.001),
    emaExamples: null,
    weight: same,
  },
  {
    name: 'lr-decay',
    note: 'Adam 0.01·√(2000/n), n = examples learned, floor 0.001',
    learningRate: (n) => Math.max(0.001, 0.01 * Math.sqrt(2000 / Math.max(2000, n))),
    emaExamples: null,
    weight: same,
  },
  {
    name: 'iw-cap-10',
    note: 'as now, weights capped at 10 (propensity clip 0.1)',
    learningRate: constant(0.01),
    emaExamples: null,
    weight: (w) => Math.min(w, 10),
  },
  {
    name: 'iw-cap-20',
    note: 'as now, weights capped at 20 (propensity clip 0.05)',
    learningRate: constant(0.01),
    emaExamples: null,
    weight: (w) => Math.min(w, 20),
  },
  {
    name: 'iw-sqrt',
    note: "as now, weights √(1/p) (the trainer's learning weight today: learningWeight)",
    learningRate: constant(0.01),
    emaExamples: null,
    weight: (w) => Math.sqrt(w),
  },
  {
    name: 'unweighted',
    note: 'as now, every example weighs 1 (reference: the old bias)',
    learningRate: constant(0.01),
    emaExamples: null,
    weight: () => 1,
  },
  {
    name: 'lr-0.003+ema-1k',
    note: 'Adam 0.003 and served = EMA (1,000)',
    learningRate: constant(0.003),
    emaExamples: 1000,
    weight: same,
  },
  {
    name: 'lr-0.003+iw-sqrt',
    note: 'Adam 0.003 and weights √(1/p)',
    learningRate: constant(0.003),
    emaExamples: null,
    weight: (w) => Math.sqrt(w),
  },
  {
    name: 'iw-cap-10+ema-1k',
    note: 'weights capped at 10 and served = EMA (1,000)',
    learningRate: constant(0.01),
    emaExamples: 1000,
    weight: (w) => Math.min(w, 10),
  },
  {
    name: 'iw-sqrt+ema-3k-after-20k',
    note: 'weights √(1/p); served = EMA (3,000) once 20,000 examples were learned',
    learningRate: constant(0.01),
    emaExamples: 3000,
    emaFrom: 20_000,
    weight: (w) => Math.sqrt(w),
  },
  {
    name: 'iw-cap-10+lr-0.003-after-20k',
    note: 'weights capped at 10; Adam 0.01, then 0.003 once 20,000 examples were learned',
    learningRate: (n) => (n < 20_000 ? 0.01 : 0.003),
    emaExamples: null,
    weight: (w) => Math.min(w, 10),
  },
  {
    name: 'explore-10%',
    note: 'as now, but the live policy explores 10 % (weights up to 1/0.05 = 20)',
    learningRate: constant(0.01),
    emaExamples: null,
    weight: same,
    explore: 0.1,
  },
];
