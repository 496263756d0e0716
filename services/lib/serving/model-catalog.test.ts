import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { VersionMeta } from './serving-choice.js';
import { ModelCatalog } from './model-catalog.js';

const BP = 'notification_send';
const trained = (sequence: number, parentVersion: string | null): VersionMeta => ({ modelVersion: `${BP}/${sequence}`, blueprint: BP, role: 'trained', sequence, parentVersion });
const winner: VersionMeta = { modelVersion: `${BP}/automl-4`, blueprint: BP, role: 'candidate', sequence: 4, parentVersion: null };

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
      assert.ok(chosen !== null && catalog.record(chosen) !== undefined, `live ${live}: chosen ${chosen} has no record`);
    }
  });

  it('model catalog - an undeployed candidate keeps its record, as a deployment may name it later', () => {
    const catalog = new ModelCatalog<VersionMeta>();
    for (const meta of [...ownChain, winner]) catalog.addVersion(meta);
    assert.ok(catalog.record(winner.modelVersion));
  });
});
