// A Tree-structured Parzen Estimator (Bergstra et al., 2011; the adaptive Parzen estimator of
// hyperopt), written by hand: no JavaScript implementation exists that is worth depending on.
//
// The space is a tree: the family is a categorical choice and each family's params are conditional
// on it. Observations are split once, globally, into the best `gamma` share ("good", density l) and
// the rest ("bad", density g); each choice then draws `candidates` points from l and keeps the one
// with the largest l/g. Each param is chosen on its own (the densities are products of per-param
// terms), from the observations of the chosen family only. Proposals never repeat while the space
// has unproposed points: draws are retried, and a small all-discrete space is listed at the end.

import { ConfigError } from '../errors.js';
import type { HyperParameterValue } from '../learners/contract.js';
import { SeededRandom } from '../learners/random.js';
import {
  checkSearchSpace,
  configKey,
  copyValue,
  discretePoints,
  type ParamSpec,
  type SearchSpace,
  type TrialConfig,
} from './space.js';

export interface TpeOptions {
  /** Seed of every draw: the same seed, space and observations give the same proposals. Default 1. */
  seed?: number;
  /** Observations drawn at random before modelling starts. Default max(2·families, 6). */
  startupTrials?: number;
  /** Share of the observations that count as good. Default 0.25. */
  gamma?: number;
  /** Draws from l(x) scored by l/g, per choice. Default 24. */
  candidates?: number;
}

export const TPE_DEFAULTS = { seed: 1, gamma: 0.25, candidates: 24, startupPerFamily: 2, minStartupTrials: 6 } as const;

/** Draws before sample() accepts a repeat; the later half are uniform, so a nearly used-up small space still finds what is left. */
const REPEAT_DRAWS = 32;
/** Most points a family's discrete space may have for sample() to list them when draws keep repeating. */
const ENUMERATION_LIMIT = 4096;
/** A Parzen component's bandwidth stays within [range / 20, range]: never a spike, never flatter than the prior. */
const MIN_BANDWIDTH_SHARE = 1 / 20;
/** Tries of the rejection sampler of a truncated Gaussian before it clamps (a tail mass this small is ~never hit). */
const TRUNCATION_TRIES = 64;

/** An evaluation: larger `value` is better, a failure is -Infinity. */
type Observation = { readonly config: TrialConfig; readonly value: number };
/** One family's observations, split by the global good/bad line. */
type Split = { readonly good: Observation[]; readonly bad: Observation[] };

export class TpeSampler {
  private readonly random: SeededRandom;
  private readonly startupTrials: number;
  private readonly gamma: number;
  private readonly candidates: number;
  private readonly history: Observation[] = [];
  private readonly proposed = new Set<string>();
  private readonly warm: TrialConfig[] = [];

  constructor(
    private readonly space: SearchSpace,
    options: TpeOptions = {},
  ) {
    checkSearchSpace(space);
    const problems: string[] = [];
    const { seed = TPE_DEFAULTS.seed, gamma = TPE_DEFAULTS.gamma, candidates = TPE_DEFAULTS.candidates } = options;
    const startupTrials =
      options.startupTrials ?? Math.max(TPE_DEFAULTS.startupPerFamily * space.length, TPE_DEFAULTS.minStartupTrials);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
      problems.push(`seed must be an integer from 0 to 4294967295, got ${seed}`);
    if (!(Number.isInteger(startupTrials) && startupTrials >= 0) && startupTrials !== Infinity)
      problems.push(`startupTrials must be an integer ≥ 0 (Infinity: random search), got ${startupTrials}`);
    if (!(gamma > 0 && gamma <= 1)) problems.push(`gamma must be in (0, 1], got ${gamma}: try 0.25`);
    if (!Number.isInteger(candidates) || candidates < 1)
      problems.push(`candidates must be an integer ≥ 1, got ${candidates}: try 24`);
    if (problems.length > 0) throw new ConfigError(problems.map((p) => `tpe ${p}`));
    [this.startupTrials, this.gamma, this.candidates, this.random] = [
      startupTrials,
      gamma,
      candidates,
      new SeededRandom(seed),
    ];
  }

  /** Evaluations recorded so far. */
  get observations(): number {
    return this.history.length;
  }

  /** Records a finished evaluation; `value` is larger-is-better; NaN/-Infinity means failed (counts as worst). */
  observe(config: TrialConfig, value: number): void {
    if (!this.space.some((f) => f.family === config.family)) {
      throw new ConfigError([
        `family "${config.family}" is not in the search space: it searches ${this.space.map((f) => f.family).join(', ')}`,
      ]);
    }
    this.history.push({
      config: { family: config.family, params: { ...config.params } },
      value: Number.isNaN(value) ? -Infinity : value,
    });
  }

  /**
   * Warm start: these configurations are proposed first, in order, before startup or model-based
   * draws. One whose family is not in the space, or that lacks a param of its family or holds a
   * value outside its range, is skipped; params the space does not search are dropped (so a
   * ModelVersion's hyperParameters, every default filled in, can be passed as they are).
   */
  seedWith(configs: readonly TrialConfig[]): void {
    for (const config of configs) {
      const family = this.space.find((f) => f.family === config.family);
      const names = Object.keys(family?.params ?? {});
      if (
        family === undefined ||
        !names.every((n) => config.params[n] !== undefined && inSpec(family.params[n]!, config.params[n]))
      )
        continue;
      this.warm.push({
        family: family.family,
        params: Object.fromEntries(names.map((n) => [n, copyValue(config.params[n]!)])),
      });
    }
  }

  /**
   * The next configuration to try (warm-start ones first). It repeats none already proposed unless
   * REPEAT_DRAWS draws and the list of a small discrete space's points find nothing new.
   */
  sample(): TrialConfig {
    for (let next = this.warm.shift(); next !== undefined; next = this.warm.shift()) {
      if (!this.proposed.has(configKey(next))) return this.propose(next);
    }
    const split = this.history.length >= this.startupTrials ? this.split() : null;
    let config = this.draw(split, 0);
    for (let n = 1; n < REPEAT_DRAWS && this.proposed.has(configKey(config)); n++) config = this.draw(split, n);
    return this.propose(this.proposed.has(configKey(config)) ? (this.unproposedPoint() ?? config) : config);
  }

  /** A uniform pick among the unproposed points of the all-discrete families small enough to list (floats never run out). */
  private unproposedPoint(): TrialConfig | null {
    const left = this.space
      .flatMap((f) => discretePoints(f, ENUMERATION_LIMIT) ?? [])
      .filter((c) => !this.proposed.has(configKey(c)));
    return left.length === 0 ? null : left[Math.floor(this.random.next() * left.length)]!;
  }

  private propose(config: TrialConfig): TrialConfig {
    this.proposed.add(configKey(config));
    return config;
  }

  /**
   * The observations of each family (in space order), split into good and bad: the good are the
   * best ceil(gamma·n) of all, failures never among them, ties going to the earlier observation.
   */
  private split(): Split[] {
    const order = this.history
      .map((_, i) => i)
      .sort((a, b) => this.history[b]!.value - this.history[a]!.value || a - b);
    const usable = this.history.filter((o) => o.value > -Infinity).length;
    const good = new Set(order.slice(0, Math.min(Math.ceil(this.gamma * this.history.length), usable)));
    const groups = this.space.map((): Split => ({ good: [], bad: [] }));
    this.history.forEach((o, i) => {
      const group = groups[this.space.findIndex((f) => f.family === o.config.family)]!;
      (good.has(i) ? group.good : group.bad).push(o);
    });
    return groups;
  }

  /** A model-based draw when `split` is given and fewer than REPEAT_DRAWS / 2 draws repeated, else a uniform one. */
  private draw(split: Split[] | null, attempt: number): TrialConfig {
    const modelled = split !== null && attempt < REPEAT_DRAWS / 2;
    const familyIndex = modelled
      ? this.pickCategorical(
          split.map((s) => s.good.length),
          split.map((s) => s.bad.length),
        )
      : Math.floor(this.random.next() * this.space.length);
    const family = this.space[familyIndex]!;
    const { good, bad } = modelled ? split[familyIndex]! : { good: [], bad: [] };
    const params: Record<string, HyperParameterValue> = {};
    for (const [name, spec] of Object.entries(family.params)) {
      const valuesOf = (obs: readonly Observation[]) =>
        obs
          .map((o) => o.config.params[name])
          .filter((v): v is HyperParameterValue => v !== undefined && inSpec(spec, v));
      params[name] = this.drawParam(spec, valuesOf(good), valuesOf(bad), modelled);
    }
    return { family: family.family, params };
  }

  private drawParam(
    spec: ParamSpec,
    good: HyperParameterValue[],
    bad: HyperParameterValue[],
    modelled: boolean,
  ): HyperParameterValue {
    if (spec.kind === 'choice') {
      const keys = spec.values.map((v) => JSON.stringify(v));
      const counts = (vs: HyperParameterValue[]) => keys.map((k) => vs.filter((v) => JSON.stringify(v) === k).length);
      const index = modelled
        ? this.pickCategorical(counts(good), counts(bad))
        : Math.floor(this.random.next() * keys.length);
      return copyValue(spec.values[index]!);
    }
    const scale = scaleOf(spec);
    if (!modelled) return scale.back(this.random.uniform(scale.lo, scale.hi));
    const l = new Parzen(
      good.map((v) => scale.to(v as number)),
      scale.lo,
      scale.hi,
    );
    const g = new Parzen(
      bad.map((v) => scale.to(v as number)),
      scale.lo,
      scale.hi,
    );
    let best = NaN;
    let bestScore = -Infinity;
    for (let c = 0; c < this.candidates; c++) {
      const x = scale.back(l.sample(this.random));
      const [a, b] = scale.cell(x);
      const score = Math.log(l.measure(a, b)) - Math.log(g.measure(a, b));
      if (score > bestScore || Number.isNaN(best)) [best, bestScore] = [x, score];
    }
    return best;
  }

  /** Categorical TPE with a +1 prior per category: `candidates` draws from l, the largest l/g wins. */
  private pickCategorical(goodCounts: number[], badCounts: number[]): number {
    const l = goodCounts.map((c) => c + 1);
    const g = badCounts.map((c) => c + 1);
    const lSum = l.reduce((s, x) => s + x, 0);
    const gSum = g.reduce((s, x) => s + x, 0);
    let best = -1;
    let bestScore = -Infinity;
    for (let c = 0; c < this.candidates; c++) {
      let u = this.random.next() * lSum;
      let i = 0;
      while (i < l.length - 1 && u >= l[i]!) u -= l[i++]!;
      const score = l[i]! / lSum / (g[i]! / gSum);
      if (score > bestScore) [best, bestScore] = [i, score];
    }
    return best;
  }
}

function inSpec(spec: ParamSpec, value: HyperParameterValue): boolean {
  if (spec.kind === 'choice') return spec.values.some((v) => JSON.stringify(v) === JSON.stringify(value));
  if (typeof value !== 'number' || !(value >= spec.low && value <= spec.high)) return false;
  return spec.kind === 'float' || Number.isInteger(value);
}

/**
 * Where a numeric param is modelled: its (log-)range, ints widened by half a step on each side so
 * that both ends round to as much room as any inner integer; `cell` is the interval of the model
 * scale that rounds to x (a point for floats).
 */
function scaleOf(spec: Extract<ParamSpec, { low: number }>) {
  const log = spec.log === true;
  const int = spec.kind === 'int';
  const to = (x: number) => (log ? Math.log(x) : x);
  const widen = int ? 0.5 : 0;
  return {
    lo: to(spec.low - widen),
    hi: to(spec.high + widen),
    to,
    back: (t: number) =>
      Math.min(spec.high, Math.max(spec.low, int ? Math.round(log ? Math.exp(t) : t) : log ? Math.exp(t) : t)),
    cell: (x: number): [number, number] => (int ? [to(x - widen), to(x + widen)] : [to(x), to(x)]),
  };
}

/**
 * A Parzen estimator on [lo, hi]: one Gaussian per point, truncated to the range, its bandwidth the
 * larger distance to its sorted neighbours (the bounds for the outermost), clipped to
 * [range·MIN_BANDWIDTH_SHARE, range]; plus the uniform prior over the range, weighted as one point.
 */
class Parzen {
  private readonly mus: number[];
  private readonly sigmas: number[];
  /** The mass of each Gaussian within [lo, hi]: its truncation normaliser. */
  private readonly inRange: number[];

  constructor(
    points: number[],
    private readonly lo: number,
    private readonly hi: number,
  ) {
    const range = hi - lo;
    this.mus = [...points].sort((a, b) => a - b);
    this.sigmas = this.mus.map((mu, i, s) => {
      const spread = Math.max(mu - (s[i - 1] ?? lo), (s[i + 1] ?? hi) - mu);
      return Math.min(range, Math.max(range * MIN_BANDWIDTH_SHARE, spread));
    });
    this.inRange = this.mus.map(
      (mu, i) => normalCdf((hi - mu) / this.sigmas[i]!) - normalCdf((lo - mu) / this.sigmas[i]!),
    );
  }

  sample(random: SeededRandom): number {
    const k = Math.floor(random.next() * (this.mus.length + 1));
    if (k === this.mus.length) return random.uniform(this.lo, this.hi);
    const mu = this.mus[k]!;
    const sigma = this.sigmas[k]!;
    for (let i = 0; i < TRUNCATION_TRIES; i++) {
      const t = mu + sigma * random.normal();
      if (t >= this.lo && t <= this.hi) return t;
    }
    return Math.min(this.hi, Math.max(this.lo, mu));
  }

  /** The probability of [a, b] within [lo, hi]; the density at a when a = b. */
  measure(a: number, b: number): number {
    const point = a === b;
    let sum = (point ? 1 : b - a) / (this.hi - this.lo);
    this.mus.forEach((mu, i) => {
      const s = this.sigmas[i]!;
      const [za, zb] = [(a - mu) / s, (b - mu) / s];
      sum +=
        (point ? Math.exp(-0.5 * za * za) / (s * Math.sqrt(2 * Math.PI)) : normalCdf(zb) - normalCdf(za)) /
        this.inRange[i]!;
    });
    return sum / (this.mus.length + 1);
  }
}

/** Φ(z), through the erfc approximation of Numerical Recipes (fractional error < 1.2e-7 everywhere, tails included). */
function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  const poly =
    -1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t *
                  (-0.18628806 +
                    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const erfc = t * Math.exp(-x * x + poly);
  return z >= 0 ? 1 - erfc / 2 : erfc / 2;
}
