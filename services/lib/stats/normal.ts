// The standard normal distribution: CDF, quantile and the two-sided critical value every interval
// in this folder uses. Both are rational approximations accurate to about 1e-16 relative, so an
// interval never carries an error from here that a test could see:
//   - the CDF is Φ(z) = erfc(−z/√2)/2 with W. J. Cody's erfc (Math. Comp. 23, 1969; netlib
//     specfun CALERF). erfc, not 1 − erf, so the lower tail keeps its relative accuracy
//     (Φ(−20) ≈ 2.75e-89 to 1e-14) until erfc underflows near z = −37.5;
//   - the quantile is M. J. Wichura's AS 241 PPND16 (Applied Statistics 37, 1988).

const SQRT1_2 = Math.SQRT1_2;
const ONE_OVER_SQRT_PI = 0.5641895835477563;

// The published coefficients below are written as the doubles they round to (the extra digits
// of the papers change nothing at runtime, and the linter refuses them).

// Cody's erfc: three rational approximations on |x| ≤ 0.46875, ≤ 4 and > 4.
const ERF_A = [
  3.1611237438705655, 113.86415415105016, 377.485237685302, 3209.3775891384694, 0.18577770618460315,
] as const;
const ERF_B = [23.601290952344122, 244.02463793444417, 1282.6165260773723, 2844.236833439171] as const;
const ERFC_C = [
  0.5641884969886701, 8.883149794388377, 66.11919063714163, 298.6351381974001, 881.952221241769, 1712.0476126340707,
  2051.0783778260716, 1230.3393547979972, 2.1531153547440383e-8,
] as const;
const ERFC_D = [
  15.744926110709835, 117.6939508913125, 537.1811018620099, 1621.3895745666903, 3290.7992357334597, 4362.619090143247,
  3439.3676741437216, 1230.3393548037495,
] as const;
const ERFC_P = [
  0.30532663496123236, 0.36034489994980445, 0.12578172611122926, 0.016083785148742275, 0.0006587491615298378,
  0.016315387137302097,
] as const;
const ERFC_Q = [
  2.568520192289822, 1.8729528499234604, 0.5279051029514285, 0.06051834131244132, 0.0023352049762686918,
] as const;
/** erfc(x) underflows to 0 beyond this. */
const ERFC_ZERO_BEYOND = 26.543;

/** exp(−y²), computed as exp(−r²)·exp(−(y − r)(y + r)) with r = y rounded down to 1/16 — Cody's
 * trick: y² itself would lose the low bits that matter once it is exponentiated. */
function expMinusSquare(y: number): number {
  const r = Math.trunc(y * 16) / 16;
  return Math.exp(-r * r) * Math.exp(-(y - r) * (y + r));
}

/** The complementary error function, erfc(x) = 1 − erf(x). */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const y = Math.abs(x);
  let result: number;
  if (y <= 0.46875) {
    const ysq = y * y;
    let num = ERF_A[4] * ysq;
    let den = ysq;
    for (let i = 0; i < 3; i++) {
      num = (num + ERF_A[i]!) * ysq;
      den = (den + ERF_B[i]!) * ysq;
    }
    return 1 - (x * (num + ERF_A[3])) / (den + ERF_B[3]);
  } else if (y <= 4) {
    let num = ERFC_C[8] * y;
    let den = y;
    for (let i = 0; i < 7; i++) {
      num = (num + ERFC_C[i]!) * y;
      den = (den + ERFC_D[i]!) * y;
    }
    result = (expMinusSquare(y) * (num + ERFC_C[7])) / (den + ERFC_D[7]);
  } else if (y >= ERFC_ZERO_BEYOND) {
    result = 0;
  } else {
    const ysq = 1 / (y * y);
    let num = ERFC_P[5] * ysq;
    let den = ysq;
    for (let i = 0; i < 4; i++) {
      num = (num + ERFC_P[i]!) * ysq;
      den = (den + ERFC_Q[i]!) * ysq;
    }
    const tail = (ysq * (num + ERFC_P[4])) / (den + ERFC_Q[4]);
    result = (expMinusSquare(y) * (ONE_OVER_SQRT_PI - tail)) / y;
  }
  return x < 0 ? 2 - result : result;
}

/** P(Z ≤ z) for a standard normal Z; NaN for NaN. */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z * SQRT1_2);
}

// AS 241 PPND16: one rational function near the median, two in the tails (in r = √(−log tail)).
// Coefficients in ascending powers; each denominator starts at 1.
const Q_A = [
  3.3871328727963665, 133.14166789178438, 1971.5909503065513, 13731.69376550946, 45921.95393154987, 67265.7709270087,
  33430.57558358813, 2509.0809287301227,
] as const;
const Q_B = [
  1, 42.31333070160091, 687.1870074920579, 5394.196021424751, 21213.794301586597, 39307.89580009271, 28729.085735721943,
  5226.495278852854,
] as const;
const Q_C = [
  1.4234371107496835, 4.630337846156546, 5.769497221460691, 3.6478483247632045, 1.2704582524523684, 0.2417807251774506,
  0.022723844989269184, 0.0007745450142783414,
] as const;
const Q_D = [
  1, 2.053191626637759, 1.6763848301838038, 0.6897673349851, 0.14810397642748008, 0.015198666563616457,
  0.0005475938084995345, 1.0507500716444169e-9,
] as const;
const Q_E = [
  6.657904643501103, 5.463784911164114, 1.7848265399172913, 0.29656057182850487, 0.026532189526576124,
  0.0012426609473880784, 0.000027115555687434876, 2.0103343992922881e-7,
] as const;
const Q_F = [
  1, 0.599832206555888, 0.1369298809227358, 0.014875361290850615, 0.0007868691311456133, 0.000018463183175100548,
  1.421511758316446e-7, 2.0442631033899397e-15,
] as const;

function ratio(numerator: readonly number[], denominator: readonly number[], r: number): number {
  let num = 0;
  let den = 0;
  for (let i = numerator.length - 1; i >= 0; i--) {
    num = num * r + numerator[i]!;
    den = den * r + denominator[i]!;
  }
  return num / den;
}

/** The z with Φ(z) = p; −∞ at 0 and +∞ at 1. Throws a RangeError outside [0, 1]. */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`a normal quantile needs a probability in [0, 1], got ${p}`);
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) return q * ratio(Q_A, Q_B, 0.180625 - q * q);
  const tail = q < 0 ? p : 1 - p;
  if (tail === 0) return q < 0 ? -Infinity : Infinity;
  const r = Math.sqrt(-Math.log(tail));
  const z = r <= 5 ? ratio(Q_C, Q_D, r - 1.6) : ratio(Q_E, Q_F, r - 5);
  return q < 0 ? -z : z;
}

/** The z of a two-sided (1 − alpha) normal interval, Φ⁻¹(1 − alpha/2): 1.959963984540054 for 0.05.
 * Computed from the lower tail so that a small alpha keeps its precision. */
export function twoSidedCritical(alpha: number): number {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
  return -normalQuantile(alpha / 2);
}
