// What the trainer service asks of "a trainer", whatever its blueprint learns: a score (blueprint-
// trainer.ts), a planning bandit (planning-trainer.ts) or a class (multiclass-trainer.ts). main.ts
// learns, publishes, commits and disposes through this contract alone; it looks at the concrete
// class only to choose which kind a blueprint needs. Every trainer passes the shared checks in
// trainer-contract.test.ts (CONTRIBUTING.md habit 2).
//
// The continuation gate (continuation-gate.ts) is part of the contract so that publishing needs no
// case per kind: a trainer that publishes unjudged never has a version pending, gives no
// judgements and refuses nothing.
import type { Blueprint, Example, ModelVersion } from '../lib/schemas/generated.js';
import type { Comparison, ContinuationJudgement } from './continuation-gate.js';

/** A version a trainer published, with its objective oriented so that larger is better. */
export interface PublishedModel {
  record: ModelVersion;
  metric: number;
}

export interface Trainer {
  /** The blueprint version it trains now. */
  readonly blueprint: Blueprint;
  /** Moves to a newer version of its blueprint, keeping what it learned where that still fits. */
  updateBlueprint(bp: Blueprint): void;
  /**
   * Queues an example; false when the example teaches it nothing. It does not read `example.blueprint`:
   * the caller hands it only its own blueprint's examples.
   */
  add(example: Example): boolean;
  /** Learns everything queued, leaving the queue empty; how many examples that was. */
  learnQueued(): Promise<number>;
  /** Whether it holds learning that no published version carries, so the commit point must wait for it. */
  readonly hasUnpublished: boolean;
  /**
   * A new version when one is due and ready, else null. Its sequence is above `sequenceFloor`:
   * AutoML numbers its candidates in the same sequence, so a caller must always say the floor.
   */
  publish(now: number, sequenceFloor: number): PublishedModel | null;
  /** When the version held pending its verdict was taken (the `now` of that publish); null when none is. */
  readonly pendingSince: number | null;
  /** What the pending version is judged against; null when none is pending. */
  readonly pendingAgainst: Comparison | null;
  /** The verdicts given on pending versions since the last call, oldest first. */
  drainJudgements(): ContinuationJudgement[];
  /** The newest refusal of a pending version, for `looper status`; null before any. */
  readonly lastRefusal: ContinuationJudgement | null;
  /** Releases what its learners hold outside the JavaScript heap (TensorFlow.js memory); safe to call again. */
  dispose(): void;
}
