// Continual training of a planning blueprint: a contextual bandit (services/lib/planning) learns
// from every example — the action taken, its reward (the label) and its logged propensity — and is
// published at the blueprint's cadence like any model. A restarted trainer continues the newest
// bandit published for the blueprint, so learning survives restarts up to the last version.
// Each reward is learned with its decision time, by which the bandit forgets (training.forget): a
// continued bandit takes the blueprint's current half-life, and decays from the time it stopped.
import type { Blueprint, Example, ModelVersion } from '../lib/schemas/generated.js';
import type { FeatureValues } from '../lib/feature-values.js';
import { BanditModel, isBanditArtifact, WARMUP_EXAMPLES } from '../lib/planning/bandit-model.js';
import { ProfileSample } from '../lib/monitoring/profile.js';
import { featureSchemaFromBlueprint } from '../lib/learners/feature-schema.js';
import type { PublishedModel, Trainer } from './trainer.js';
import type { ContinuationJudgement } from './continuation-gate.js';
import { trainedVersion } from './trained-version.js';

/** Rewards averaged for the published `reward` metric: the latest this many learned. */
const REWARD_WINDOW = 1000;

interface Step {
  readonly features: FeatureValues;
  readonly action: string;
  readonly reward: number;
  readonly propensity: number;
  /** When the decision was taken (ms): the clock the bandit forgets by. */
  readonly at: number;
}

export class PlanningTrainer implements Trainer {
  private model: BanditModel;
  private warm: boolean;
  private readonly warmup: Step[] = [];
  private queue: Step[] = [];
  private sequence: number;
  private lastVersion: string | null;
  private changed = false;
  private learned = 0;
  private readonly rewards: number[] = [];
  private dataStartTs: number | null = null;
  private dataEndTs: number | null = null;
  private profileSample = new ProfileSample();

  constructor(
    private bp: Blueprint,
    checkpoint: ModelVersion | null = null,
  ) {
    const artifact =
      checkpoint && isBanditArtifact(checkpoint.artifact) ? BanditModel.fromArtifact(checkpoint.artifact) : null;
    const restored = artifact && sameActions(artifact.actions, bp.decision.actions) ? artifact : null;
    this.model = restored?.withHalfLife(bp.training.forgetHalfLifeMs ?? null) ?? BanditModel.create(bp);
    this.warm = restored !== null;
    this.sequence = checkpoint?.sequence ?? 0;
    this.lastVersion = this.warm ? checkpoint!.modelVersion : null;
  }

  get blueprint(): Blueprint {
    return this.bp;
  }

  get description(): string {
    return `a ${this.bp.decision.policy} contextual bandit over ${this.bp.decision.actions.join(', ')}`;
  }

  /** A new version with other actions or features starts over; other changes keep what was learned
   * (a new forgetting half-life applies from the next example on). */
  updateBlueprint(bp: Blueprint): void {
    const same =
      sameActions(bp.decision.actions, this.bp.decision.actions) &&
      JSON.stringify(featureSchemaFromBlueprint(bp)) === JSON.stringify(featureSchemaFromBlueprint(this.bp)) &&
      bp.decision.policy === this.bp.decision.policy;
    this.bp = bp;
    if (same) {
      this.model = this.model.withHalfLife(bp.training.forgetHalfLifeMs ?? null);
      return;
    }
    this.model = BanditModel.create(bp);
    this.warm = false;
    this.warmup.length = 0;
    this.queue = [];
    this.profileSample = new ProfileSample();
  }

  /** Queues an example; false for one that cannot teach (unknown action, no reward, no propensity). */
  add(example: Example): boolean {
    if (!this.bp.decision.actions.includes(example.action)) return false;
    if (!Number.isFinite(example.label) || !(example.propensity > 0 && example.propensity <= 1)) return false;
    this.queue.push({
      features: example.features,
      action: example.action,
      reward: example.label,
      propensity: example.propensity,
      at: example.decisionTs,
    });
    this.profileSample.add(example.features);
    this.dataStartTs = Math.min(this.dataStartTs ?? example.decisionTs, example.decisionTs);
    this.dataEndTs = Math.max(this.dataEndTs ?? example.decisionTs, example.decisionTs);
    return true;
  }

  async learnQueued(): Promise<number> {
    const steps = this.queue;
    this.queue = [];
    for (const step of steps) {
      if (!this.warm) {
        this.warmup.push(step);
        this.model.observe(step.features);
        if (this.warmup.length < WARMUP_EXAMPLES) continue;
        this.warm = true;
        for (const s of this.warmup.splice(0)) this.learnOne(s);
        continue;
      }
      this.learnOne(step);
    }
    return steps.length;
  }

  private learnOne(step: Step): void {
    this.model.learn(step.features, step.action, step.reward, step.propensity, step.at);
    this.learned++;
    this.changed = true;
    this.rewards.push(step.reward);
    if (this.rewards.length > REWARD_WINDOW) this.rewards.shift();
  }

  get hasUnpublished(): boolean {
    return this.changed;
  }

  // Versions are published unjudged (no continuation gate): nothing is ever pending, judged or refused.
  readonly pendingSince = null;
  readonly pendingAgainst = null;
  readonly lastRefusal = null;
  drainJudgements(): ContinuationJudgement[] {
    return [];
  }

  publish(now: number, sequenceFloor = 0): PublishedModel | null {
    if (!this.changed) return null;
    const artifact = this.model.toArtifact();
    this.sequence = Math.max(this.sequence, sequenceFloor) + 1;
    const reward = this.rewards.reduce((s, r) => s + r, 0) / Math.max(1, this.rewards.length);
    const names = featureSchemaFromBlueprint(this.bp).features.map((f) => f.name);
    const record = trainedVersion(this.bp, {
      sequence: this.sequence,
      family: this.bp.decision.policy,
      hyperParameters: this.model.bandit.options.policy,
      featureNames: names,
      artifact,
      artifactFormat: 'looper-bandit/1',
      p99InferenceUs: null,
      metrics: { reward, examples: this.learned },
      trainedOnExamples: this.learned,
      dataStartTs: this.dataStartTs,
      dataEndTs: this.dataEndTs,
      createdAt: now,
      parentVersion: this.lastVersion,
      profile: JSON.stringify(this.profileSample.profile(names, (x) => this.model.bestMean(x))),
    });
    this.lastVersion = record.modelVersion;
    this.changed = false;
    return { record, metric: reward };
  }

  dispose(): void {}
}

function sameActions(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
