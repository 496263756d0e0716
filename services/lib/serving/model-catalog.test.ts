import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { VersionMeta } from './serving-choice.js';
import { ModelCatalog, type DeploymentState } from './model-catalog.js';

const BP = 'notification_send';
const trained = (sequence: number, parentVersion: string | null): VersionMeta => ({
  modelVersion: `${BP}/${sequence}`,
  blueprint: BP,
  role: 'trained',
  sequence,
  parentVersion,
});
const winner: VersionMeta = {
  modelVersion: `${BP}/automl-4`,
  blueprint: BP,
  role: 'candidate',
  sequence: 4,
  parentVersion: null,
};

// The side-by-side lineage 1 → 2 → 3 → 7, an AutoML winner (4) continued by 5 → 6.
const ownChain = [trained(1, null), trained(2, `${BP}/1`), trained(3, `${BP}/2`)];
const history = [...ownChain, winner, trained(5, winner.modelVersion), trained(6, `${BP}/5`), trained(7, `${BP}/3`)];

describe('model catalog', () => {
  it('model catalog - keeps whole records only of versions no trained version continues', () => {
    const catalog = new ModelCatalog<VersionMeta>();
    for (const meta of history) catalog.addVersion(meta);
    const kept = history.filter((m) => catalog.record(m.modelVersion) !== undefined).map((m) => m.modelVersion);
    assert.deepEqual(kept, [`${BP}/6`, `${BP}/7`]);
  });

  it('model catalog - a continuation that arrives before its parent still drops the parent', () => {
    const catalog = new ModelCatalog<VersionMeta>();
    for (const meta of [...history].reverse()) catalog.addVersion(meta);
    assert.equal(catalog.retained, 2);
  });

  it('model catalog - the chosen version always has its record once everything arrived', () => {
    for (const live of [null, winner.modelVersion, `${BP}/2`, `${BP}/5`]) {
      const catalog = new ModelCatalog<VersionMeta>();
      catalog.deploy({ blueprint: BP, live, revision: 1 });
      for (const meta of history) catalog.addVersion(meta);
      const chosen = catalog.chosen(BP);
      assert.ok(
        chosen !== null && catalog.record(chosen) !== undefined,
        `live ${live}: chosen ${chosen} has no record`,
      );
    }
  });

  it('model catalog - an undeployed candidate keeps its record, as a deployment may name it later', () => {
    const catalog = new ModelCatalog<VersionMeta>();
    for (const meta of [...ownChain, winner]) catalog.addVersion(meta);
    assert.ok(catalog.record(winner.modelVersion));
  });

  // Rollback: A (automl-4, continued by 5 → 6) is retired and 3 is live again, continued by 9;
  // B is in shadow and C is a canary.
  const B: VersionMeta = { ...winner, modelVersion: `${BP}/automl-8`, sequence: 8 };
  const C: VersionMeta = { ...winner, modelVersion: `${BP}/automl-9`, sequence: 9 };
  const resumed = trained(10, `${BP}/3`);
  const rollback: DeploymentState = {
    blueprint: BP,
    revision: 1,
    live: `${BP}/3`,
    shadow: [B.modelVersion],
    canary: { modelVersion: C.modelVersion, share: 0.1 },
    retired: [winner.modelVersion],
  };
  const rolledBack = [...ownChain, winner, trained(5, winner.modelVersion), trained(6, `${BP}/5`), B, C, resumed];
  const heldOf = (catalog: ModelCatalog<VersionMeta>, versions: readonly VersionMeta[]) =>
    versions.filter((m) => catalog.record(m.modelVersion) !== undefined).map((m) => m.modelVersion);

  /** Every order of `items` (small arrays only). */
  function permutations<T>(items: readonly T[]): T[][] {
    if (items.length <= 1) return [[...items]];
    return items.flatMap((item, i) =>
      permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
    );
  }

  it('model catalog - holds the live tip, the shadow and the canary, and drops retired versions and their continuations', () => {
    const catalog = new ModelCatalog<VersionMeta>();
    for (const meta of rolledBack) catalog.addVersion(meta);
    assert.deepEqual(heldOf(catalog, rolledBack), [`${BP}/6`, B.modelVersion, C.modelVersion, `${BP}/10`]);
    assert.equal(catalog.deploy(rollback), true);
    assert.deepEqual(heldOf(catalog, rolledBack), [B.modelVersion, C.modelVersion, `${BP}/10`]);
  });

  it('model catalog - a version retired before it arrives is never held, nor its continuations', () => {
    const catalog = new ModelCatalog<VersionMeta>();
    catalog.deploy(rollback);
    for (const meta of rolledBack) catalog.addVersion(meta);
    assert.deepEqual(heldOf(catalog, rolledBack), [B.modelVersion, C.modelVersion, `${BP}/10`]);
  });

  it('model catalog - whatever the order of both topics, the same records are held', () => {
    const arrivals: Array<VersionMeta | 'deployment'> = [
      ownChain[2]!,
      winner,
      trained(5, winner.modelVersion),
      trained(6, `${BP}/5`),
      B,
      C,
      resumed,
      'deployment',
    ];
    const answers = new Set<string>();
    for (const order of permutations(arrivals)) {
      const catalog = new ModelCatalog<VersionMeta>();
      for (const a of order) {
        if (a === 'deployment') catalog.deploy(rollback);
        else catalog.addVersion(a);
      }
      answers.add(JSON.stringify(heldOf(catalog, rolledBack)));
    }
    assert.deepEqual(
      [...answers].map((a) => JSON.parse(a)),
      [[B.modelVersion, C.modelVersion, `${BP}/10`]],
    );
  });

  it('model catalog - a continued version keeps its record while a deployment names it shadow', () => {
    const catalog = new ModelCatalog<VersionMeta>();
    catalog.deploy({ blueprint: BP, revision: 1, live: `${BP}/3`, shadow: [`${BP}/2`] });
    for (const meta of ownChain) catalog.addVersion(meta);
    assert.deepEqual(heldOf(catalog, ownChain), [`${BP}/2`, `${BP}/3`]);
    catalog.deploy({ blueprint: BP, revision: 2, live: `${BP}/3`, shadow: [] });
    assert.deepEqual(heldOf(catalog, ownChain), [`${BP}/3`]);
  });

  it('model catalog - a live version continued only by retired versions keeps its record, as it serves', () => {
    const catalog = new ModelCatalog<VersionMeta>();
    catalog.deploy({ blueprint: BP, revision: 1, live: winner.modelVersion, retired: [`${BP}/5`] });
    for (const meta of rolledBack) catalog.addVersion(meta);
    assert.equal(catalog.chosen(BP), winner.modelVersion);
    assert.ok(catalog.record(winner.modelVersion));
    assert.equal(catalog.record(`${BP}/6`), undefined);
  });
});
