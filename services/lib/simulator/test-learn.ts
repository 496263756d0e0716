// A plain logistic regression for the simulator's learnability test: standardised inputs, batch
// gradient descent. Not a Looper learner; it only shows that the observable features carry signal.
export interface Fitted {
  score(x: readonly number[]): number;
}

export function fitLogistic(
  xs: readonly (readonly number[])[],
  ys: readonly (0 | 1)[],
  iterations = 300,
  rate = 0.5,
): Fitted {
  const d = xs[0]?.length ?? 0;
  const mean = Array<number>(d).fill(0);
  const sd = Array<number>(d).fill(0);
  for (const x of xs) x.forEach((v, j) => (mean[j]! += v / xs.length));
  for (const x of xs) x.forEach((v, j) => (sd[j]! += (v - mean[j]!) ** 2 / xs.length));
  const scale = (x: readonly number[]) => x.map((v, j) => (v - mean[j]!) / (Math.sqrt(sd[j]!) || 1));
  const zs = xs.map(scale);
  let w = Array<number>(d).fill(0);
  let b = 0;
  for (let it = 0; it < iterations; it++) {
    const gw = Array<number>(d).fill(0);
    let gb = 0;
    zs.forEach((z, i) => {
      const e = 1 / (1 + Math.exp(-(b + z.reduce((s, v, j) => s + v * w[j]!, 0)))) - ys[i]!;
      gb += e;
      z.forEach((v, j) => (gw[j]! += e * v));
    });
    w = w.map((v, j) => v - (rate * gw[j]!) / zs.length);
    b -= (rate * gb) / zs.length;
  }
  return { score: (x) => scale(x).reduce((s, v, j) => s + v * w[j]!, b) };
}
