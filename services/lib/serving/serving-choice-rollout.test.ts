import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chooseServedVersion, ServingLineage, type RolloutState, type VersionMeta } from './serving-choice.js';

const BP = 'notification_send';
const id = (sequence: number) => `${BP}/${sequence}`;
const trained = (sequence: number, parentVersion: string | null): VersionMeta => ({
  modelVersion: id(sequence),
  blueprint: BP,
  role: 'trained',
  sequence,
  parentVersion,
});
const candidate = (sequence: number): VersionMeta => ({
  modelVersion: `${BP}/automl-${sequence}`,
  blueprint: BP,
  role: 'candidate',
  sequence,
  parentVersion: null,
});

// The trainer's lineage 1 → 2 → 3; AutoML's A (4) went live and was continued 5 → 6, then rolled
// back: live is 3 again and the trainer continues it with 9. B (7) is in shadow, C (8) a canary.
const ownChain = [trained(1, null), trained(2, id(1)), trained(3, id(2))];
const A = candidate(4);
const adoptedA = [trained(5, A.modelVersion), trained(6, id(5))];
const B = candidate(7);
const C = candidate(8);
const resumed = trained(9, id(3));
const history = [...ownChain, A, ...adoptedA, B, C, resumed];
const rollback: RolloutState = {
  shadow: [B.modelVersion],
  canary: { modelVersion: C.modelVersion, share: 0.1 },
  retired: [A.modelVersion],
};
const retiredA: RolloutState = { shadow: [], canary: null, retired: [A.modelVersion] };

function lineageOf(versions: readonly VersionMeta[], live: string | null, rollout: RolloutState): ServingLineage {
  const lineage = new ServingLineage();
  for (const v of versions) lineage.addVersion(v);
  lineage.deploy(live, 1, rollout);
  return lineage;
}

/** Every order of `items` (small arrays only). */
function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

describe('serving choice with rollout', () => {
  it('serving choice with rollout - after a rollback the restored lineage serves, shadow and canary are exposed', () => {
    const lineage = lineageOf(history, id(3), rollback);
    assert.equal(lineage.chosen(), id(9));
    assert.deepEqual(lineage.shadows(), [B.modelVersion]);
    assert.deepEqual(lineage.canary(), { modelVersion: C.modelVersion, share: 0.1 });
    assert.deepEqual(
      history.filter((v) => lineage.isRetired(v.modelVersion)).map((v) => v.modelVersion),
      [A.modelVersion, id(5), id(6)],
    );
  });

  it('serving choice with rollout - a retired live version falls back to the newest trained version not continuing a retired one', () => {
    assert.equal(chooseServedVersion(BP, history, A.modelVersion, retiredA), id(9));
    assert.equal(chooseServedVersion(BP, [...ownChain, A, ...adoptedA], A.modelVersion, retiredA), id(3));
    assert.equal(chooseServedVersion(BP, [A, ...adoptedA], A.modelVersion, retiredA), null);
  });

  it('serving choice with rollout - with live null, trained versions continuing a retired one do not serve, however new', () => {
    const versions = [...ownChain, A, ...adoptedA];
    assert.equal(chooseServedVersion(BP, versions, null), id(6));
    assert.equal(chooseServedVersion(BP, versions, null, retiredA), id(3));
    assert.equal(lineageOf(versions, null, retiredA).newestTrainedVersion, id(3));
  });

  it('serving choice with rollout - a retired version inside the live lineage cuts it there', () => {
    const cut: RolloutState = { shadow: [], canary: null, retired: [id(5)] };
    assert.equal(chooseServedVersion(BP, history, A.modelVersion, cut), A.modelVersion);
    assert.equal(chooseServedVersion(BP, [...history, trained(10, id(6))], A.modelVersion, cut), A.modelVersion);
  });

  it('serving choice with rollout - a trained version retired before it arrives never serves', () => {
    const lineage = new ServingLineage();
    lineage.deploy(null, 1, { shadow: [], canary: null, retired: [id(9)] });
    for (const v of history) lineage.addVersion(v);
    assert.equal(lineage.chosen(), id(6));
    lineage.addVersion(trained(10, id(9)));
    assert.equal(lineage.chosen(), id(6), 'nor does its continuation');
  });

  it('serving choice with rollout - the newest version is barred once its missing parent arrives continuing a retired one', () => {
    const lineage = new ServingLineage();
    lineage.deploy(null, 1, retiredA);
    for (const v of [...ownChain, adoptedA[1]!]) lineage.addVersion(v);
    assert.equal(lineage.chosen(), id(6), 'its lineage is unknown so far');
    lineage.addVersion(adoptedA[0]!);
    assert.equal(lineage.chosen(), id(3));
    assert.equal(lineage.isRetired(id(6)), true);
  });

  it('serving choice with rollout - a canary is served as is, not its continuations', () => {
    const lineage = lineageOf([...ownChain, A, ...adoptedA], id(3), {
      shadow: [],
      canary: { modelVersion: A.modelVersion, share: 0.25 },
      retired: [],
    });
    assert.equal(lineage.chosen(), id(3));
    assert.deepEqual(lineage.canary(), { modelVersion: A.modelVersion, share: 0.25 });
  });

  it('serving choice with rollout - no canary when its share is not positive, it is retired, or it is what serves; a share above 1 is 1', () => {
    const withCanary = (modelVersion: string, share: number, retired: string[] = []) =>
      lineageOf(history, id(3), { shadow: [], canary: { modelVersion, share }, retired }).canary();
    assert.equal(withCanary(C.modelVersion, 0), null);
    assert.equal(withCanary(C.modelVersion, Number.NaN), null);
    assert.equal(withCanary(C.modelVersion, 0.5, [C.modelVersion]), null);
    assert.equal(withCanary(id(9), 0.5), null);
    assert.deepEqual(withCanary(C.modelVersion, 1.5), { modelVersion: C.modelVersion, share: 1 });
  });

  it('serving choice with rollout - shadows keep deployment order without duplicates, retired versions, the served one or the canary', () => {
    const rollout: RolloutState = {
      shadow: [C.modelVersion, A.modelVersion, id(9), B.modelVersion, C.modelVersion, id(2)],
      canary: { modelVersion: B.modelVersion, share: 0.1 },
      retired: [A.modelVersion],
    };
    assert.deepEqual(lineageOf(history, id(3), rollout).shadows(), [C.modelVersion, id(2)]);
  });

  it('serving choice with rollout - a shadow named before it arrives is exposed, and dropped if it arrives continuing a retired version', () => {
    const lineage = new ServingLineage();
    lineage.deploy(id(3), 1, { shadow: [B.modelVersion, id(10)], canary: null, retired: [A.modelVersion] });
    assert.deepEqual(lineage.shadows(), [B.modelVersion, id(10)]);
    lineage.addVersion(trained(10, A.modelVersion));
    assert.deepEqual(lineage.shadows(), [B.modelVersion]);
  });

  it('serving choice with rollout - a deployment reports a change of shadow, canary share or retired set, not a repeat', () => {
    const lineage = lineageOf(history, id(3), rollback);
    assert.equal(lineage.deploy(id(3), 2, rollback), false);
    assert.equal(lineage.deploy(id(3), 3, { ...rollback, shadow: [] }), true);
    assert.equal(
      lineage.deploy(id(3), 4, { ...rollback, shadow: [], canary: { modelVersion: C.modelVersion, share: 0.5 } }),
      true,
    );
    assert.equal(
      lineage.deploy(id(3), 5, {
        ...rollback,
        shadow: [],
        canary: { modelVersion: C.modelVersion, share: 0.5 },
        retired: [A.modelVersion, B.modelVersion],
      }),
      true,
    );
    assert.equal(lineage.deploy(id(9), 5, rollback), false, 'a repeated revision is ignored');
  });

  it('serving choice with rollout - each deployment replaces the retired set rather than adding to it', () => {
    const lineage = lineageOf(history, null, retiredA);
    assert.equal(lineage.chosen(), id(9));
    lineage.deploy(A.modelVersion, 2, { shadow: [], canary: null, retired: [] });
    assert.equal(lineage.chosen(), id(6));
  });

  it('serving choice with rollout - records of both topics arriving in any order give the same answers', () => {
    type Arrival = VersionMeta | 'deployment';
    const arrivals: Arrival[] = [ownChain[2]!, A, ...adoptedA, B, C, resumed, 'deployment'];
    const answers = new Set<string>();
    for (const order of permutations(arrivals)) {
      const lineage = new ServingLineage();
      for (const a of order) {
        if (a === 'deployment') lineage.deploy(id(3), 1, rollback);
        else lineage.addVersion(a);
      }
      const retired = arrivals.flatMap((a) =>
        a !== 'deployment' && lineage.isRetired(a.modelVersion) ? [a.modelVersion] : [],
      );
      answers.add(
        JSON.stringify({
          chosen: lineage.chosen(),
          shadows: lineage.shadows(),
          canary: lineage.canary(),
          retired,
          newest: lineage.newestTrainedVersion,
        }),
      );
    }
    assert.deepEqual(
      [...answers].map((a) => JSON.parse(a)),
      [
        {
          chosen: id(9),
          shadows: [B.modelVersion],
          canary: { modelVersion: C.modelVersion, share: 0.1 },
          retired: [A.modelVersion, id(5), id(6)],
          newest: id(9),
        },
      ],
    );
  });
});
