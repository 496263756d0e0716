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

/** M⁻¹ for a symmetric positive definite M (row-major), from its Cholesky factor: M⁻¹ = L⁻ᵀL⁻¹. Only
 * the upper triangle is computed and then mirrored, so the inverse is exactly symmetric. Throws the
 * RangeError of `cholesky` for a matrix that is not positive definite. */
export function inverseSpd(matrix: Float64Array, d: number, out: Float64Array = new Float64Array(d * d)): Float64Array {
  const l = cholesky(matrix, d);
  // L⁻¹ by forward substitution, column by column; it is lower triangular too.
  const li = new Float64Array(d * d);
  for (let j = 0; j < d; j++) {
    li[j * d + j] = 1 / l[j * d + j]!;
    for (let i = j + 1; i < d; i++) {
      let sum = 0;
      for (let k = j; k < i; k++) sum += l[i * d + k]! * li[k * d + j]!;
      li[i * d + j] = -sum / l[i * d + i]!;
    }
  }
  // (L⁻ᵀL⁻¹)ᵢⱼ = Σₖ L⁻¹ₖᵢ·L⁻¹ₖⱼ over k ≥ max(i, j).
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      let sum = 0;
      for (let k = j; k < d; k++) sum += li[k * d + i]! * li[k * d + j]!;
      out[i * d + j] = sum;
      out[j * d + i] = sum;
    }
  }
  return out;
}
