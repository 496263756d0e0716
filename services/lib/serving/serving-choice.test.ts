import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chooseServedVersion, ServingLineage, type VersionMeta } from './serving-choice.js';

const BP = 'notification_send';

function trained(sequence: number, parent: number | string | null): VersionMeta {
  const parentVersion = parent === null ? null : typeof parent === 'string' ? parent : `${BP}/${parent}`;
  return { modelVersion: `${BP}/${sequence}`, blueprint: BP, role: 'trained', sequence, parentVersion };
}

function candidate(sequence: number, parentVersion: string | null = null): VersionMeta {
  return { modelVersion: `${BP}/automl-${sequence}`, blueprint: BP, role: 'candidate', sequence, parentVersion };
}

// The side-by-side trainer's lineage 1 → 2 → 3, an AutoML winner at sequence 4, and the trainer
// continuing it: 5 → 6. Then the old lineage gets one more version (7), as an old trainer would.
const ownChain = [trained(1, null), trained(2, 1), trained(3, 2)];
const winner = candidate(4);
const adoptedChain = [trained(5, winner.modelVersion), trained(6, 5)];
const strayOwn = trained(7, 3);
const history = [...ownChain, winner, ...adoptedChain, strayOwn];

/** Every order of `items` (small arrays only). */
function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

type Arrival = { kind: 'version'; meta: VersionMeta } | { kind: 'deployment'; live: string | null; revision: number };

function replay(arrivals: readonly Arrival[]): string | null {
  const lineage = new ServingLineage();
  for (const a of arrivals) {
    if (a.kind === 'version') lineage.addVersion(a.meta);
    else lineage.deploy(a.live, a.revision);
  }
  return lineage.chosen();
}

describe('serving choice', () => {
  it('serving choice - without a deployment the newest trained version serves', () => {
    assert.equal(chooseServedVersion(BP, ownChain, null), `${BP}/3`);
    assert.equal(
      chooseServedVersion(BP, [...ownChain, winner], null),
      `${BP}/3`,
      'a candidate nobody deployed does not serve',
    );
  });

  it('serving choice - nothing serves before any trained version or deployment', () => {
    assert.equal(chooseServedVersion(BP, [], null), null);
    assert.equal(chooseServedVersion(BP, [winner], null), null);
  });

  it('serving choice - a deployment serves the version it names', () => {
    assert.equal(chooseServedVersion(BP, [...ownChain, winner], winner.modelVersion), winner.modelVersion);
  });

  it('serving choice - the deployed version is served even before its record arrives', () => {
    assert.equal(chooseServedVersion(BP, ownChain, winner.modelVersion), winner.modelVersion);
  });

  it('serving choice - trained versions continuing the deployed one serve the newest of the chain', () => {
    assert.equal(chooseServedVersion(BP, [...ownChain, winner, ...adoptedChain], winner.modelVersion), `${BP}/6`);
  });

  it('serving choice - trained versions of another lineage do not serve while a deployment names live', () => {
    assert.equal(chooseServedVersion(BP, history, winner.modelVersion), `${BP}/6`);
    assert.equal(chooseServedVersion(BP, [...ownChain, winner, strayOwn], winner.modelVersion), winner.modelVersion);
  });

  it('serving choice - a deployment naming a trained version serves its newest descendant, not its ancestors or siblings', () => {
    assert.equal(chooseServedVersion(BP, history, `${BP}/5`), `${BP}/6`);
    assert.equal(chooseServedVersion(BP, history, `${BP}/2`), `${BP}/7`);
    assert.equal(chooseServedVersion(BP, history, `${BP}/6`), `${BP}/6`);
  });

  it('serving choice - a candidate warm-started from a trained version does not continue it', () => {
    const warm = candidate(8, `${BP}/6`);
    assert.equal(chooseServedVersion(BP, [...history, warm], winner.modelVersion), `${BP}/6`);
  });

  it('serving choice - a deployment with live null falls back to the newest trained version', () => {
    assert.equal(chooseServedVersion(BP, history, null), `${BP}/7`);
  });

  it('serving choice - versions of other blueprints are ignored', () => {
    const other: VersionMeta = { ...trained(9, 6), blueprint: 'other' };
    assert.equal(chooseServedVersion(BP, [...history, other], winner.modelVersion), `${BP}/6`);
  });

  it('serving choice - records arriving in any order, deployment included, give the same answer', () => {
    const versions: Arrival[] = [winner, ...adoptedChain, strayOwn, ownChain[2]!].map((meta) => ({
      kind: 'version',
      meta,
    }));
    const deployment: Arrival = { kind: 'deployment', live: winner.modelVersion, revision: 1 };
    const answers = new Set<string | null>();
    for (const order of permutations([...versions, deployment])) answers.add(replay(order));
    assert.deepEqual([...answers], [`${BP}/6`]);
  });

  it('serving choice - switching the deployment to another candidate serves that candidate, then its continuations', () => {
    const lineage = new ServingLineage();
    for (const meta of history) lineage.addVersion(meta);
    assert.equal(lineage.deploy(winner.modelVersion, 1), true);
    const next = candidate(8);
    assert.equal(lineage.deploy(next.modelVersion, 2), true);
    lineage.addVersion(next);
    assert.equal(lineage.chosen(), next.modelVersion);
    lineage.addVersion(trained(9, next.modelVersion));
    assert.equal(lineage.chosen(), `${BP}/9`);
  });

  it('serving choice - a stale or repeated deployment revision is ignored', () => {
    const lineage = new ServingLineage();
    for (const meta of history) lineage.addVersion(meta);
    lineage.deploy(winner.modelVersion, 5);
    assert.equal(lineage.deploy(`${BP}/3`, 4), false);
    assert.equal(lineage.deploy(`${BP}/3`, 5), false);
    assert.equal(lineage.chosen(), `${BP}/6`);
  });

  it('serving choice - a known version added again changes nothing', () => {
    const lineage = new ServingLineage();
    assert.equal(lineage.addVersion(trained(1, null)), true);
    assert.equal(lineage.addVersion(trained(1, null)), false);
  });

  it('serving choice - the origin of a version is the candidate its lineage starts from', () => {
    const lineage = new ServingLineage();
    for (const meta of history) lineage.addVersion(meta);
    assert.equal(lineage.originCandidate(`${BP}/6`), winner.modelVersion);
    assert.equal(lineage.originCandidate(winner.modelVersion), winner.modelVersion);
    assert.equal(lineage.originCandidate(`${BP}/7`), null);
    assert.equal(lineage.originCandidate(`${BP}/99`), undefined);
  });

  it('serving choice - the origin behind a missing parent is not remembered, so it is found once the parent arrives', () => {
    const lineage = new ServingLineage();
    lineage.addVersion(adoptedChain[1]!);
    assert.equal(lineage.originCandidate(`${BP}/6`), null);
    lineage.addVersion(adoptedChain[0]!);
    lineage.addVersion(winner);
    assert.equal(lineage.originCandidate(`${BP}/6`), winner.modelVersion);
  });

  it('serving choice - the highest sequence counts every version, candidates included', () => {
    const lineage = new ServingLineage();
    for (const meta of [...ownChain, winner]) lineage.addVersion(meta);
    assert.equal(lineage.maxSequence, 4);
  });
});
