// The boosting loop of one fit: a seeded validation split, a starting margin, then rounds of
// gradients → one tree → margins, stopped early when the validation loss has not improved for
// earlyStoppingRounds rounds (the trees after the best round are dropped).
//   classification, logistic loss: p = σ(margin), gradient w·(p − y), hessian w·p·(1 − p);
//   estimation, squared loss:      gradient w·(margin − y), hessian w.

import type { LearnerTask } from './contract.js';
import type { BinnedMatrix } from './gbdt-histogram.js';
import type { GbdtHyperParameters } from './gbdt-options.js';
import { binnedTreeValue, growTree, type GrownTree } from './gbdt-tree.js';
import { SeededRandom } from './random.js';

export interface BoostInput {
  readonly task: LearnerTask;
  readonly hyper: GbdtHyperParameters;
  /** All buffered rows, binned. */
  readonly matrix: BinnedMatrix;
  readonly ys: Float64Array;
  readonly ws: Float64Array;
  /** Where boosting starts: the margin of each row under earlier trees and its baseScore; null for a new model. */
  readonly start: { readonly baseScore: number; readonly margins: Float64Array } | null;
}

export interface BoostResult {
  readonly baseScore: number;
  readonly trees: GrownTree[];
  /** Validation loss before any tree, then after each round grown (empty without a validation split). */
  readonly validationLoss: number[];
}

/** The loss of one row at `margin`: logistic (log loss) or half the squared error. */
export function rowLoss(task: LearnerTask, margin: number, y: number): number {
  if (task === 'estimation') return 0.5 * (margin - y) ** 2;
  const softplus = Math.max(margin, 0) + Math.log1p(Math.exp(-Math.abs(margin)));
  return softplus - y * margin;
}

/** The starting margin of a new model: the weighted mean label, or its log-odds. */
export function initialMargin(
  task: LearnerTask,
  ys: Float64Array,
  ws: Float64Array,
  rows: Uint32Array,
  count: number,
): number {
  let sw = 0;
  let swy = 0;
  for (let i = 0; i < count; i++) {
    const r = rows[i] as number;
    sw += ws[r] as number;
    swy += (ws[r] as number) * (ys[r] as number);
  }
  if (sw <= 0) return 0;
  const mean = swy / sw;
  if (task === 'estimation') return mean;
  const p = Math.min(1 - 1e-6, Math.max(1e-6, mean));
  return Math.log(p / (1 - p));
}

export function boost(input: BoostInput): BoostResult {
  const { task, hyper, matrix, ys, ws } = input;
  const n = matrix.rows;
  const random = new SeededRandom(hyper.seed);
  // The validation split: each row held out with probability validationFraction.
  const train = new Uint32Array(n);
  const valid = new Uint32Array(n);
  let nTrain = 0;
  let nValid = 0;
  for (let r = 0; r < n; r++) {
    if (hyper.validationFraction > 0 && random.next() < hyper.validationFraction) valid[nValid++] = r;
    else train[nTrain++] = r;
  }
  let validWeight = 0;
  for (let i = 0; i < nValid; i++) validWeight += ws[valid[i] as number] as number;
  if (nTrain === 0 || validWeight <= 0) {
    // Too few rows to hold any out: train on all, without early stopping.
    for (let r = 0; r < n; r++) train[r] = r;
    nTrain = n;
    nValid = 0;
  }
  const baseScore = input.start?.baseScore ?? initialMargin(task, ys, ws, train, nTrain);
  const margins = input.start === null ? new Float64Array(n).fill(baseScore) : input.start.margins.slice();
  const grad = new Float64Array(n);
  const hess = new Float64Array(n);
  const rows = new Uint32Array(nTrain);
  const scratch = new Uint32Array(nTrain);
  const allColumns = Int32Array.from({ length: matrix.columns }, (_, c) => c);
  const validationLoss = (): number => {
    let loss = 0;
    let weight = 0;
    for (let i = 0; i < nValid; i++) {
      const r = valid[i] as number;
      loss += (ws[r] as number) * rowLoss(task, margins[r] as number, ys[r] as number);
      weight += ws[r] as number;
    }
    return loss / weight;
  };
  const losses: number[] = nValid > 0 ? [validationLoss()] : [];
  let best = 0;
  const trees: GrownTree[] = [];
  for (let t = 0; t < hyper.nTrees; t++) {
    for (let i = 0; i < nTrain; i++) {
      const r = train[i] as number;
      const w = ws[r] as number;
      const m = margins[r] as number;
      if (task === 'classification') {
        const p = 1 / (1 + Math.exp(-m));
        grad[r] = w * (p - (ys[r] as number));
        hess[r] = w * Math.max(p * (1 - p), 1e-16);
      } else {
        grad[r] = w * (m - (ys[r] as number));
        hess[r] = w;
      }
    }
    let count = 0;
    for (let i = 0; i < nTrain; i++)
      if (hyper.subsample >= 1 || random.next() < hyper.subsample) rows[count++] = train[i] as number;
    const columns = hyper.colsample >= 1 ? allColumns : sampleColumns(matrix.columns, hyper.colsample, random);
    const tree = growTree(matrix, grad, hess, rows, count, columns, hyper, scratch);
    trees.push(tree);
    for (let r = 0; r < n; r++) margins[r] = (margins[r] as number) + binnedTreeValue(tree, matrix, r);
    if (nValid > 0) {
      const loss = validationLoss();
      losses.push(loss);
      if (loss < (losses[best] as number)) best = t + 1;
      else if (t + 1 - best >= hyper.earlyStoppingRounds) break;
    }
  }
  return { baseScore, trees: nValid > 0 ? trees.slice(0, best) : trees, validationLoss: losses };
}

/** round(share · columns) columns (at least one), drawn without replacement, in ascending order. */
function sampleColumns(columns: number, share: number, random: SeededRandom): Int32Array {
  const k = Math.max(1, Math.round(share * columns));
  const all = Int32Array.from({ length: columns }, (_, c) => c);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(random.next() * (columns - i));
    const tmp = all[i] as number;
    all[i] = all[j] as number;
    all[j] = tmp;
  }
  return all.subarray(0, k).sort();
}
