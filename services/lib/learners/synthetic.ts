// A seeded synthetic problem over every kind of input feature, for the check suite and the
// benchmarks: the label depends linearly (in logit or value) on a numeric feature, a declared
// category and a hashed string, plus a little non-linearity, so every family can learn it.

import type { FeatureValues } from '../feature-values.js';
import type { LearnerTask } from './contract.js';
import { featureSchema, type FeatureSchema } from './feature-schema.js';
import { SeededRandom } from './random.js';

export const SYNTHETIC_SCHEMA: FeatureSchema = featureSchema([
  { name: 'hour', kind: 'numeric' },
  { name: 'amount', kind: 'numeric' },
  { name: 'noise', kind: 'numeric' },
  { name: 'platform', kind: 'category', values: ['ios', 'android', 'web'] },
  { name: 'country', kind: 'category', values: [] },
  { name: 'last_item', kind: 'mixed' },
]);

const PLATFORMS = ['ios', 'android', 'web', 'tv'] as const;

export interface SyntheticData {
  readonly xs: FeatureValues[];
  readonly ys: number[];
}

export function syntheticExamples(task: LearnerTask, n: number, seed: number): SyntheticData {
  const random = new SeededRandom(seed);
  const xs: FeatureValues[] = [];
  const ys: number[] = [];
  for (let i = 0; i < n; i++) {
    const hour = Math.floor(random.next() * 24);
    const amountMissing = random.next() < 0.1;
    const amount = 50 + 20 * random.normal();
    const platform = PLATFORMS[Math.floor(random.next() * PLATFORMS.length)] as string;
    const countryIndex = Math.floor(random.next() * 12);
    const lastItem = random.next() < 0.5 ? Math.floor(random.next() * 100) : `item-${Math.floor(random.next() * 5)}`;
    const signal =
      (amountMissing ? -0.5 : 1.5 * ((amount - 50) / 20)) +
      (platform === 'ios' ? 1 : platform === 'web' ? -1 : 0) +
      (countryIndex < 4 ? 1 : -0.5) +
      0.5 * Math.cos((2 * Math.PI * hour) / 24) +
      (lastItem === 'item-0' ? 0.8 : 0);
    xs.push({
      hour,
      amount: amountMissing ? null : amount,
      noise: random.normal(),
      platform,
      country: `c${countryIndex}`,
      last_item: lastItem,
    });
    if (task === 'classification') ys.push(random.next() < 1 / (1 + Math.exp(-3 * signal)) ? 1 : 0);
    else ys.push(100 + 10 * signal + 2 * random.normal());
  }
  return { xs, ys };
}
