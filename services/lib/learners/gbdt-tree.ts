// One regression tree of a boosting round, grown level-wise on binned columns from per-row
// gradients and hessians (the second-order step of XGBoost / LightGBM):
//   gain of a split = ½ · (G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ)),   leaf = −G/(H+λ) · learningRate,
// each child holding a hessian sum ≥ minChildWeight. Histograms of gradient and hessian sums per
// bin are built for the smaller child of each split; the larger one is its parent's minus it.

import type { BinnedMatrix } from './gbdt-histogram.js';

export interface TreeParams {
  readonly maxDepth: number;
  readonly maxLeaves: number;
  readonly lambda: number;
  readonly minChildWeight: number;
  readonly learningRate: number;
}

/** A grown tree, nodes in creation order (root 0, children after their parent). */
export interface GrownTree {
  /** Column split on; −1 for a leaf. */
  readonly feature: number[];
  /** Split bin: rows with a bin ≤ this go left. */
  readonly bin: number[];
  /** Split threshold on the raw input value: x ≤ threshold goes left (the bin's upper edge). */
  readonly threshold: number[];
  readonly left: number[];
  readonly right: number[];
  /** Leaf value (learning rate applied, rounded to float32 as served); 0 for split nodes. */
  readonly value: number[];
}

export interface Split {
  readonly gain: number;
  readonly column: number;
  readonly bin: number;
  /** Gradient and hessian sums of the left side. */
  readonly gradLeft: number;
  readonly hessLeft: number;
}

/** ½ · (G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ)): the loss reduction of a split, to second order. */
export function splitGain(
  gradLeft: number,
  hessLeft: number,
  gradRight: number,
  hessRight: number,
  lambda: number,
): number {
  const score = (g: number, h: number) => (h + lambda > 0 ? (g * g) / (h + lambda) : 0);
  return (
    0.5 * (score(gradLeft, hessLeft) + score(gradRight, hessRight) - score(gradLeft + gradRight, hessLeft + hessRight))
  );
}

/** −G/(H+λ) · learningRate, as the float32 that is served; 0 when H+λ is 0 (and never −0). */
export function leafValue(grad: number, hess: number, lambda: number, learningRate: number): number {
  return hess + lambda > 0 ? Math.fround((-grad / (hess + lambda)) * learningRate) + 0 : 0;
}

/** The best split of a node from its histogram (gradient, hessian pairs per bin), or null when none gains. */
export function bestSplit(
  hist: Float64Array,
  matrix: BinnedMatrix,
  columns: Int32Array,
  grad: number,
  hess: number,
  params: TreeParams,
): Split | null {
  let best: Split | null = null;
  for (let k = 0; k < columns.length; k++) {
    const c = columns[k] as number;
    const first = matrix.binOffsets[c] as number;
    const bins = (matrix.binOffsets[c + 1] as number) - first;
    let gl = 0;
    let hl = 0;
    for (let b = 0; b < bins - 1; b++) {
      gl += hist[(first + b) * 2] as number;
      hl += hist[(first + b) * 2 + 1] as number;
      const hr = hess - hl;
      if (hl < params.minChildWeight || hr < params.minChildWeight) continue;
      const gain = splitGain(gl, hl, grad - gl, hr, params.lambda);
      if (gain > (best?.gain ?? 0)) best = { gain, column: c, bin: b, gradLeft: gl, hessLeft: hl };
    }
  }
  return best;
}

interface GrowingNode {
  readonly id: number;
  readonly start: number;
  readonly end: number;
  readonly grad: number;
  readonly hess: number;
  readonly hist: Float64Array;
  split: Split | null;
}

/**
 * Grows one tree on rows[0, rowCount) (their order is changed) using only `columns`. `scratch`
 * holds at least rowCount entries.
 */
export function growTree(
  matrix: BinnedMatrix,
  grad: Float64Array,
  hess: Float64Array,
  rows: Uint32Array,
  rowCount: number,
  columns: Int32Array,
  params: TreeParams,
  scratch: Uint32Array,
): GrownTree {
  const tree: GrownTree = { feature: [], bin: [], threshold: [], left: [], right: [], value: [] };
  const addLeaf = (g: number, h: number): number => {
    tree.feature.push(-1);
    tree.bin.push(0);
    tree.threshold.push(0);
    tree.left.push(-1);
    tree.right.push(-1);
    tree.value.push(leafValue(g, h, params.lambda, params.learningRate));
    return tree.feature.length - 1;
  };
  const histogram = (start: number, end: number): Float64Array => {
    const hist = new Float64Array((matrix.binOffsets[matrix.columns] as number) * 2);
    for (let k = 0; k < columns.length; k++) {
      const c = columns[k] as number;
      const base = c * matrix.rows;
      const first = matrix.binOffsets[c] as number;
      for (let i = start; i < end; i++) {
        const r = rows[i] as number;
        const at = (first + (matrix.codes[base + r] as number)) * 2;
        hist[at] = (hist[at] as number) + (grad[r] as number);
        hist[at + 1] = (hist[at + 1] as number) + (hess[r] as number);
      }
    }
    return hist;
  };

  let g = 0;
  let h = 0;
  for (let i = 0; i < rowCount; i++) {
    g += grad[rows[i] as number] as number;
    h += hess[rows[i] as number] as number;
  }
  let level: GrowingNode[] = [
    { id: addLeaf(g, h), start: 0, end: rowCount, grad: g, hess: h, hist: histogram(0, rowCount), split: null },
  ];
  let leaves = 1;
  for (let depth = 0; depth < params.maxDepth && level.length > 0; depth++) {
    for (const node of level) node.split = bestSplit(node.hist, matrix, columns, node.grad, node.hess, params);
    // Under a leaf budget the best gains of the level go first (ties: the earlier node).
    const order = level.map((_, i) => i).filter((i) => level[i]?.split !== null);
    order.sort((a, b) => (level[b]?.split?.gain as number) - (level[a]?.split?.gain as number) || a - b);
    const chosen = new Set(order.slice(0, Math.max(0, params.maxLeaves - leaves)));
    leaves += chosen.size;
    const next: GrowingNode[] = [];
    level.forEach((node, i) => {
      const split = node.split;
      if (!chosen.has(i) || split === null) return;
      const nLeft = partition(matrix, rows, node.start, node.end, split, scratch);
      const mid = node.start + nLeft;
      const gl = split.gradLeft;
      const hl = split.hessLeft;
      const gr = node.grad - gl;
      const hr = node.hess - hl;
      const leftSmaller = nLeft <= node.end - mid;
      const small = leftSmaller ? histogram(node.start, mid) : histogram(mid, node.end);
      const large = node.hist;
      for (let k = 0; k < large.length; k++) large[k] = (large[k] as number) - (small[k] as number);
      const [leftHist, rightHist] = leftSmaller ? [small, large] : [large, small];
      const leftId = addLeaf(gl, hl);
      const rightId = addLeaf(gr, hr);
      tree.feature[node.id] = split.column;
      tree.bin[node.id] = split.bin;
      tree.threshold[node.id] = (matrix.edges[split.column] as Float32Array)[split.bin] as number;
      tree.left[node.id] = leftId;
      tree.right[node.id] = rightId;
      tree.value[node.id] = 0;
      next.push(
        { id: leftId, start: node.start, end: mid, grad: gl, hess: hl, hist: leftHist, split: null },
        { id: rightId, start: mid, end: node.end, grad: gr, hess: hr, hist: rightHist, split: null },
      );
    });
    level = next;
  }
  return tree;
}

/** Stable partition of rows[start, end) by the split: left rows first. Returns how many went left. */
function partition(
  matrix: BinnedMatrix,
  rows: Uint32Array,
  start: number,
  end: number,
  split: Split,
  scratch: Uint32Array,
): number {
  const base = split.column * matrix.rows;
  let nLeft = 0;
  for (let i = start; i < end; i++) if ((matrix.codes[base + (rows[i] as number)] as number) <= split.bin) nLeft++;
  let l = start;
  let r = start + nLeft;
  for (let i = start; i < end; i++) {
    const row = rows[i] as number;
    if ((matrix.codes[base + row] as number) <= split.bin) scratch[l++] = row;
    else scratch[r++] = row;
  }
  rows.set(scratch.subarray(start, end), start);
  return nLeft;
}

/** The leaf value a training row reaches, walking the tree on its bins. */
export function binnedTreeValue(tree: GrownTree, matrix: BinnedMatrix, row: number): number {
  let node = 0;
  for (;;) {
    const f = tree.feature[node] as number;
    if (f < 0) return tree.value[node] as number;
    node =
      (matrix.codes[f * matrix.rows + row] as number) <= (tree.bin[node] as number)
        ? (tree.left[node] as number)
        : (tree.right[node] as number);
  }
}
