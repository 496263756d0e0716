// Bucketing of input columns for histogram-based tree growing. Each column gets ascending, distinct
// upper bin edges taken from quantiles of its values; a value's bin is the number of edges below it,
// so a value v falls in a bin ≤ s exactly when v ≤ edges[s]. That equivalence lets a split found on
// bins be served as a threshold on the raw input value: scoring never bins.

/** The binned training matrix: one byte per cell, column-major. */
export interface BinnedMatrix {
  readonly rows: number;
  readonly columns: number;
  /** codes[column · rows + row]: the bin of the cell. */
  readonly codes: Uint8Array;
  /** Per column, its ascending upper bin edges (bins = edges + 1; a constant column has none). */
  readonly edges: readonly Float32Array[];
  /** Per column, where its bins start in a histogram of all columns; the last entry is the total. */
  readonly binOffsets: Int32Array;
}

/**
 * Upper bin edges of one column, at most maxBins − 1 of them: all distinct values but the largest
 * when there are few, otherwise values at evenly spaced ranks. Sorts `values` in place.
 */
export function binEdges(values: Float32Array, maxBins: number): Float32Array {
  values.sort();
  const n = values.length;
  const edges: number[] = [];
  if (n === 0) return new Float32Array(0);
  const max = values[n - 1] as number;
  let distinct = 1;
  for (let i = 1; i < n && distinct <= maxBins; i++) if (values[i] !== values[i - 1]) distinct++;
  if (distinct <= maxBins) {
    for (let i = 0; i < n; i++) {
      const v = values[i] as number;
      if (v !== max && (edges.length === 0 || v !== edges[edges.length - 1])) edges.push(v);
    }
  } else {
    for (let q = 1; q < maxBins; q++) {
      const v = values[Math.floor((q * n) / maxBins)] as number;
      if (v !== max && (edges.length === 0 || v > (edges[edges.length - 1] as number))) edges.push(v);
    }
  }
  return Float32Array.from(edges);
}

/** The bin of `value`: how many edges lie below it (binary search). */
export function binOf(edges: Float32Array, value: number): number {
  let low = 0;
  let high = edges.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((edges[mid] as number) < value) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Edges for each column of row-major `data` (rows × columns). */
export function columnEdges(data: Float32Array, rows: number, columns: number, maxBins: number): Float32Array[] {
  const scratch = new Float32Array(rows);
  const edges: Float32Array[] = [];
  for (let c = 0; c < columns; c++) {
    for (let r = 0; r < rows; r++) scratch[r] = data[r * columns + c] as number;
    edges.push(binEdges(scratch, maxBins));
  }
  return edges;
}

/** Bins row-major `data` (rows × columns) with the given edges. */
export function binMatrix(
  data: Float32Array,
  rows: number,
  columns: number,
  edges: readonly Float32Array[],
): BinnedMatrix {
  const codes = new Uint8Array(rows * columns);
  const binOffsets = new Int32Array(columns + 1);
  for (let c = 0; c < columns; c++) {
    const e = edges[c] as Float32Array;
    binOffsets[c + 1] = (binOffsets[c] as number) + e.length + 1;
    const base = c * rows;
    for (let r = 0; r < rows; r++) codes[base + r] = binOf(e, data[r * columns + c] as number);
  }
  return { rows, columns, codes, edges, binOffsets };
}
