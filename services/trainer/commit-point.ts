// How far the trainer may commit its consumer offsets on looper.examples. A crash must lose no
// learning that no published version holds: a restarted trainer continues each blueprint's newest
// version and re-reads from the committed offsets. Committing only when no blueprint holds
// unpublished learning is safe but, with several blueprints publishing at their own cadences,
// rarely happens — and a restart then re-reads (and re-learns) hours of examples. So each
// blueprint remembers the positions its last version covers, and a partition is committed up to
// the least of those among the blueprints still holding unpublished learning.
//
// A continuation is taken (its artifact frozen) before it is judged and published
// (continuation-gate.ts): what it covers is what had been read when it was taken, not when it is
// published — the examples that judged it were learned by the learners, not by it.
//
// With several trainer instances in the group, a reassignment moves partitions (and the blueprints
// in them) between instances. A partition this instance no longer reads is never committed from
// here again — its new reader commits it — and a blueprint it no longer trains holds nothing back.

/** A blueprint that learns nothing for this long (at least; twice its publish_every when longer) is idle. */
export const IDLE_AFTER_MIN_MS = 60_000;

/**
 * What a blueprint's trainer does to the commit point this round:
 * - `covered`: every bit of its learning is in a published version, so it covers the current positions;
 * - `holding`: it holds learning no version carries, so the commit waits for its next version;
 * - `idle`: it holds such learning but has learned nothing for a while — typically a version pending
 *   on labels that stopped coming with the blueprint's traffic. Holding for it would pin the commit
 *   for ever, and every restart would re-read (and re-teach every other blueprint) everything since.
 *   It holds nothing back; its coverage stays where its last version left it, so it holds from
 *   there again once it learns. A crash meanwhile loses what it learned since that version: at most
 *   what it learned in its last active stretch, which its next traffic teaches again.
 */
export function commitRole(
  trainer: { readonly hasUnpublished: boolean; readonly lastLearnedAt: number | null; readonly publishEveryMs: number },
  now: number,
): 'covered' | 'holding' | 'idle' {
  if (!trainer.hasUnpublished) return 'covered';
  const idleAfter = Math.max(IDLE_AFTER_MIN_MS, 2 * trainer.publishEveryMs);
  return trainer.lastLearnedAt !== null && now - trainer.lastLearnedAt < idleAfter ? 'holding' : 'idle';
}

export class CommitPoint {
  /** The next offset to read, per partition: everything before it has been learned. */
  private readonly positions = new Map<number, bigint>();
  /** Per blueprint, the positions its newest version (or its start, before any) covers. */
  private readonly covered = new Map<string, Map<number, bigint>>();
  /** Per blueprint, the positions read when its pending version was taken. */
  private readonly taken = new Map<string, Map<number, bigint>>();

  /** Per partition, the offset toCommit() last returned: a commit never moves back. */
  private readonly returned = new Map<number, bigint>();

  /** The partitions assigned to this instance; null: all of them, until the group assigns some. */
  private held: ReadonlySet<number> | null = null;

  /** Everything before `next` on `partition` has been learned. Ignored for a partition not assigned. */
  consumed(partition: number, next: bigint): void {
    if (this.held !== null && !this.held.has(partition)) return;
    this.positions.set(partition, next);
  }

  /**
   * The group assigned `partitions`. The consumer reads each of them again from its committed
   * offset, so every position is forgotten until read anew (a trainer started meanwhile covers only
   * what has really been read); and partitions no longer held leave every blueprint's coverage.
   */
  assigned(partitions: Iterable<number>): void {
    const held = new Set(partitions);
    this.held = held;
    this.positions.clear();
    this.returned.clear();
    for (const covered of [...this.covered.values(), ...this.taken.values()]) {
      for (const partition of [...covered.keys()]) if (!held.has(partition)) covered.delete(partition);
    }
  }

  /** A blueprint's trainer was dropped without publishing: its learning is no longer held back for. */
  forget(blueprint: string): void {
    this.covered.delete(blueprint);
    this.taken.delete(blueprint);
  }

  /** A blueprint's trainer starts learning: nothing before the current positions is its to lose. */
  started(blueprint: string): void {
    this.covered.set(blueprint, new Map(this.positions));
  }

  /** A blueprint took a version to publish once judged: it holds everything learned so far (a later one replaces it). */
  tookVersion(blueprint: string): void {
    this.taken.set(blueprint, new Map(this.positions));
  }

  /** A blueprint published a version: the one it took, or one holding everything it learned so far. */
  published(blueprint: string): void {
    this.covered.set(blueprint, this.taken.get(blueprint) ?? new Map(this.positions));
    this.taken.delete(blueprint);
  }

  /**
   * The offsets safe to commit, given the blueprints holding unpublished learning: per partition,
   * the least position those blueprints' versions cover. A partition one of them has no position
   * for (it was not read yet when that blueprint last published or started) is left out.
   */
  safe(unpublished: Iterable<string>): Array<{ partition: number; offset: string }> {
    const holding = [...unpublished].map((b) => this.covered.get(b) ?? new Map<number, bigint>());
    const safe: Array<{ partition: number; offset: string }> = [];
    for (const [partition, position] of this.positions) {
      let offset: bigint | null = position;
      for (const covered of holding) {
        const through = covered.get(partition);
        if (through === undefined) {
          offset = null;
          break;
        }
        if (through < offset) offset = through;
      }
      if (offset !== null) safe.push({ partition, offset: offset.toString() });
    }
    return safe;
  }

  /**
   * What to commit now: the safe offsets that pass what was committed before. An idle blueprint
   * that learns again holds from its last version, behind a commit made while it was idle; moving
   * the commit back would make a restart re-teach every other blueprint what it already learned.
   */
  toCommit(unpublished: Iterable<string>): Array<{ partition: number; offset: string }> {
    const ahead = this.safe(unpublished).filter(
      ({ partition, offset }) => BigInt(offset) > (this.returned.get(partition) ?? -1n),
    );
    for (const { partition, offset } of ahead) this.returned.set(partition, BigInt(offset));
    return ahead;
  }
}
