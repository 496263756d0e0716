// The model of a planning blueprint: a contextual bandit over the blueprint's actions, with the
// same feature preprocessing as the other learners (preprocess.ts) plus a constant column for each
// arm's intercept. The standardisation is learned from the first WARMUP_EXAMPLES examples and then
// frozen, because a ridge arm's coefficients only mean something in a fixed input space. It
// travels as one JSON artifact (format looper-bandit/1) that the predictor loads and serves.
//
// The bandit forgets as the blueprint's training.forget says: every reward is learned with its
// decision time, and the arms' statistics decay by 2^(−Δt/half-life) (bandits/contextual-bandit.ts).
// The half-life and the time the statistics were decayed to travel inside the bandit's state; an
// artifact written before forgetting existed has neither and loads as a bandit that never forgets,
// until a trainer continues it under a blueprint that says otherwise.
import type { Blueprint, BlueprintDecision, BlueprintTraining } from '../schemas/generated.js';
import type { FeatureValues } from '../feature-values.js';
import { featureSchemaFromBlueprint, type FeatureSchema } from '../learners/feature-schema.js';
import { DEFAULT_HASH_BUCKETS, Preprocessor, type Moments } from '../learners/preprocess.js';
import { ContextualBandit, type ContextualBanditState } from '../bandits/contextual-bandit.js';
import type { PolicySpec } from '../bandits/policies.js';
import type { RandomSource } from '../bandits/random-source.js';

export const BANDIT_FORMAT = 'looper-bandit/1';
/** Examples whose numeric features set the standardisation before the bandit learns. */
export const WARMUP_EXAMPLES = 200;

/** The bandit policy a blueprint's decision section declares, with Looper's defaults. */
export function policySpecOf(
  decision: Pick<BlueprintDecision, 'policy' | 'epsilon' | 'temperature' | 'alpha'>,
): PolicySpec {
  switch (decision.policy) {
    case 'epsilon_greedy':
      return { kind: 'epsilon-greedy', epsilon: decision.epsilon ?? 0.1 };
    case 'softmax':
      return { kind: 'softmax', temperature: decision.temperature ?? 0.1 };
    case 'thompson':
      return { kind: 'thompson' };
    case 'linucb':
      return { kind: 'linucb', alpha: decision.alpha ?? 1 };
    case 'argmax':
      // Greedy: the best estimate, ties split evenly (exploration comes from decision.explore alone).
      return { kind: 'epsilon-greedy', epsilon: 0 };
    default:
      throw new RangeError(
        `policy ${decision.policy} is not a bandit policy: a planning blueprint takes epsilon_greedy, softmax, thompson, linucb or argmax`,
      );
  }
}

interface BanditArtifact {
  readonly format: typeof BANDIT_FORMAT;
  readonly schema: FeatureSchema;
  readonly hashBuckets: number;
  readonly moments: { count: number[]; mean: number[]; m2: number[] };
  readonly bandit: ContextualBanditState;
}

export interface PlannedChoice {
  readonly action: string;
  /** Probability of `action` under the bandit's policy (before the blueprint's explore share). */
  readonly propensity: number;
  readonly probabilities: Readonly<Record<string, number>>;
  /** Each action's estimated mean reward in this context: logged, and the reward model of offline evaluation. */
  readonly means: Record<string, number>;
}

export class BanditModel {
  private readonly preprocessor: Preprocessor;
  private readonly x32: Float32Array;
  private readonly x: Float64Array;

  private constructor(
    readonly schema: FeatureSchema,
    readonly bandit: ContextualBandit,
    moments: Moments | undefined,
    readonly hashBuckets: number,
  ) {
    this.preprocessor = new Preprocessor(schema, hashBuckets, moments);
    this.x32 = new Float32Array(this.preprocessor.width);
    this.x = new Float64Array(this.preprocessor.width + 1);
  }

  /** A model that has learned nothing; it forgets as `bp.training` says (never without a training section). */
  static create(bp: Pick<Blueprint, 'features' | 'decision'> & { training?: BlueprintTraining }): BanditModel {
    const schema = featureSchemaFromBlueprint(bp);
    const width = new Preprocessor(schema, DEFAULT_HASH_BUCKETS).width;
    const bandit = new ContextualBandit({
      actions: bp.decision.actions,
      dimension: width + 1,
      policy: policySpecOf(bp.decision),
      halfLifeMs: bp.training?.forgetHalfLifeMs ?? null,
    });
    return new BanditModel(schema, bandit, undefined, DEFAULT_HASH_BUCKETS);
  }

  /** The model an artifact holds. */
  static fromArtifact(bytes: Uint8Array): BanditModel {
    const a = JSON.parse(Buffer.from(bytes).toString('utf8')) as BanditArtifact;
    if (a.format !== BANDIT_FORMAT)
      throw new RangeError(`expected a ${BANDIT_FORMAT} artifact, got ${String(a.format)}`);
    const moments: Moments = {
      count: Float64Array.from(a.moments.count),
      mean: Float64Array.from(a.moments.mean),
      m2: Float64Array.from(a.moments.m2),
    };
    return new BanditModel(a.schema, ContextualBandit.fromJSON(a.bandit), moments, a.hashBuckets);
  }

  get actions(): readonly string[] {
    return this.bandit.actions;
  }

  /** The half-life the bandit forgets with (ms); null: never. */
  get halfLifeMs(): number | null {
    return this.bandit.options.halfLifeMs;
  }

  /** This model, what it learned included, forgetting with `halfLifeMs` from now on (null: never). */
  withHalfLife(halfLifeMs: number | null): BanditModel {
    if (halfLifeMs === this.halfLifeMs) return this;
    return new BanditModel(
      this.schema,
      this.bandit.withHalfLife(halfLifeMs),
      this.preprocessor.snapshot(),
      this.hashBuckets,
    );
  }

  /** Counts `features` into the standardisation (warm-up only). */
  observe(features: FeatureValues): void {
    this.preprocessor.observe(features);
    this.preprocessor.freeze();
  }

  /** The context vector of `features`, in a buffer reused by the next call. */
  private encode(features: FeatureValues): Float64Array {
    this.preprocessor.vectorize(features, this.x32);
    for (let i = 0; i < this.x32.length; i++) this.x[i] = this.x32[i]!;
    this.x[this.x32.length] = 1;
    return this.x;
  }

  choose(features: FeatureValues, random: RandomSource): PlannedChoice {
    const x = this.encode(features);
    const choice = this.bandit.choose(x, random);
    const means: Record<string, number> = {};
    this.bandit.estimates(x).forEach((e, i) => (means[this.bandit.actions[i]!] = e.mean));
    return { action: choice.action, propensity: choice.propensity, probabilities: choice.probabilities, means };
  }

  /** The best action's estimated mean reward: the single score of a planning model (shadows, profiles). */
  bestMean(features: FeatureValues): number {
    return Math.max(...this.bandit.estimates(this.encode(features)).map((e) => e.mean));
  }

  /** Learns one reward; `at` is its decision's time (ms), by which the bandit forgets (none: no decay). */
  learn(features: FeatureValues, action: string, reward: number, propensity: number, at?: number): void {
    this.bandit.learn(this.encode(features), action, reward, propensity, at);
  }

  toArtifact(): Uint8Array {
    const m = this.preprocessor.snapshot();
    const artifact: BanditArtifact = {
      format: BANDIT_FORMAT,
      schema: this.schema,
      hashBuckets: this.hashBuckets,
      moments: { count: Array.from(m.count), mean: Array.from(m.mean), m2: Array.from(m.m2) },
      bandit: this.bandit.toJSON(),
    };
    return Buffer.from(JSON.stringify(artifact), 'utf8');
  }
}

/** True for an artifact made by BanditModel.toArtifact (JSON), rather than a learner's binary one. */
export function isBanditArtifact(bytes: Uint8Array): boolean {
  return (
    bytes.length > 0 &&
    bytes[0] === 0x7b &&
    Buffer.from(bytes.subarray(0, 64)).toString('utf8').includes(`"format":"${BANDIT_FORMAT}"`)
  );
}
