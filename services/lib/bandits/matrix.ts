// The little dense linear algebra the bandits need, on row-major Float64Arrays of side d. Kept
// here rather than borrowed from TensorFlow.js: the matrices are tiny (d is the number of context
// features), and a tensor round-trip would cost more than the arithmetic.

/** xᵀy. */
export function dot(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i]! * y[i]!;
  return sum;
}

/** M·x for a d × d row-major M, into `out` (allocated when not given). */
export function multiply(
  matrix: Float64Array,
  x: ArrayLike<number>,
  out: Float64Array = new Float64Array(x.length),
): Float64Array {
  const d = x.length;
  for (let i = 0; i < d; i++) {
    let sum = 0;
    const row = i * d;
    for (let j = 0; j < d; j++) sum += matrix[row + j]! * x[j]!;
    out[i] = sum;
  }
  return out;
}

/** λI of side d, row-major. */
export function scaledIdentity(d: number, lambda: number): Float64Array {
  const m = new Float64Array(d * d);
  for (let i = 0; i < d; i++) m[i * d + i] = lambda;
  return m;
}

/** The lower-triangular L with L·Lᵀ = M for a symmetric positive definite M (row-major, zeros above
 * the diagonal). Throws a RangeError when a pivot is not positive: M is not positive definite, which
 * for the bandits means its state is corrupt. */
export function cholesky(matrix: Float64Array, d: number): Float64Array {
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = matrix[i * d + j]!;
      for (let k = 0; k < j; k++) sum -= l[i * d + k]! * l[j * d + k]!;
      if (i === j) {
        if (!(sum > 0)) throw new RangeError(`the matrix is not positive definite (pivot ${i} is ${sum})`);
        l[i * d + i] = Math.sqrt(sum);
      } else {
        l[i * d + j] = sum / l[j * d + j]!;
      }
    }
  }
  return l;
}
