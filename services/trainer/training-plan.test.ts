import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ServingLineage, type VersionMeta } from '../lib/serving/serving-choice.js';
import {
  planSwitch,
  planTraining,
  planWithoutDeployment,
  SIDE_BY_SIDE,
  type TrainingConfiguration,
} from './training-plan.js';

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

// The side-by-side lineage 1 → 2 → 3, AutoML's winner A (4), the trainer continuing it: 5 → 6.
const ownChain = [trained(1, null), trained(2, id(1)), trained(3, id(2))];
const winnerA = candidate(4);
const adoptedA = [trained(5, winnerA.modelVersion), trained(6, id(5))];
const adoptA: TrainingConfiguration = { kind: 'adopted', candidate: winnerA.modelVersion };

function lineageOf(versions: readonly VersionMeta[], live: string | null = null): ServingLineage {
  const lineage = new ServingLineage();
  for (const v of versions) lineage.addVersion(v);
  lineage.deploy(live, 1);
  return lineage;
}

describe('training plan', () => {
  it('training plan - without a deployment the trainer trains side by side from its newest version', () => {
    assert.deepEqual(planTraining(lineageOf(ownChain)), { configuration: SIDE_BY_SIDE, checkpoint: id(3) });
  });

  it('training plan - with nothing published the trainer starts side by side from scratch', () => {
    assert.deepEqual(planTraining(lineageOf([])), { configuration: SIDE_BY_SIDE, checkpoint: null });
  });

  it('training plan - an undeployed candidate changes nothing', () => {
    assert.deepEqual(planTraining(lineageOf([...ownChain, winnerA])), {
      configuration: SIDE_BY_SIDE,
      checkpoint: id(3),
    });
  });

  it('training plan - a deployed candidate is adopted and restored from itself', () => {
    assert.deepEqual(planTraining(lineageOf([...ownChain, winnerA], winnerA.modelVersion)), {
      configuration: adoptA,
      checkpoint: winnerA.modelVersion,
    });
  });

  it('training plan - after a restart the adopted lineage resumes from its newest trained version', () => {
    assert.deepEqual(planTraining(lineageOf([...ownChain, winnerA, ...adoptedA], winnerA.modelVersion)), {
      configuration: adoptA,
      checkpoint: id(6),
    });
  });

  it('training plan - a newer version of the side-by-side lineage is not the checkpoint while a candidate is deployed', () => {
    const stray = trained(7, id(3));
    assert.deepEqual(planTraining(lineageOf([...ownChain, winnerA, ...adoptedA, stray], winnerA.modelVersion)), {
      configuration: adoptA,
      checkpoint: id(6),
    });
  });

  it('training plan - a deployment naming a trained version of the adopted lineage keeps that configuration', () => {
    assert.deepEqual(planTraining(lineageOf([...ownChain, winnerA, ...adoptedA], id(5))), {
      configuration: adoptA,
      checkpoint: id(6),
    });
  });

  it('training plan - a deployment naming another candidate adopts that one', () => {
    const winnerB = candidate(7);
    const plan = planTraining(lineageOf([...ownChain, winnerA, ...adoptedA, winnerB], winnerB.modelVersion));
    assert.deepEqual(plan, {
      configuration: { kind: 'adopted', candidate: winnerB.modelVersion },
      checkpoint: winnerB.modelVersion,
    });
  });

  it('training plan - a deployment naming a side-by-side version trains side by side from its newest continuation', () => {
    const rolledBack = [trained(7, id(3)), trained(8, id(7))];
    assert.deepEqual(planTraining(lineageOf([...ownChain, winnerA, ...adoptedA, ...rolledBack], id(3))), {
      configuration: SIDE_BY_SIDE,
      checkpoint: id(8),
    });
  });

  it('training plan - no plan while the deployed version has not arrived; without the deployment, the newest trained version', () => {
    const lineage = lineageOf(ownChain, winnerA.modelVersion);
    assert.equal(planTraining(lineage), null);
    assert.deepEqual(planWithoutDeployment(lineage), { configuration: SIDE_BY_SIDE, checkpoint: id(3) });
  });

  it('training plan - the plan does not depend on whether the deployment or the versions came first', () => {
    const late = new ServingLineage();
    late.deploy(winnerA.modelVersion, 1);
    for (const v of [...adoptedA, winnerA, ...ownChain].reverse()) late.addVersion(v);
    assert.deepEqual(
      planTraining(late),
      planTraining(lineageOf([...ownChain, winnerA, ...adoptedA], winnerA.modelVersion)),
    );
  });
});

describe('training plan switch', () => {
  it('training plan switch - the same configuration keeps training, whatever the checkpoint', () => {
    assert.equal(planSwitch(adoptA, { configuration: adoptA, checkpoint: id(6) }), null);
    assert.equal(planSwitch(SIDE_BY_SIDE, { configuration: SIDE_BY_SIDE, checkpoint: id(3) }), null);
  });

  it('training plan switch - another configuration switches to the plan', () => {
    const plan = { configuration: adoptA, checkpoint: winnerA.modelVersion };
    assert.equal(planSwitch(SIDE_BY_SIDE, plan), plan);
    const other = {
      configuration: { kind: 'adopted', candidate: `${BP}/automl-9` } as const,
      checkpoint: `${BP}/automl-9`,
    };
    assert.equal(planSwitch(adoptA, other), other);
    const back = { configuration: SIDE_BY_SIDE, checkpoint: id(3) };
    assert.equal(planSwitch(adoptA, back), back);
  });

  it('training plan switch - no plan (the deployed version not arrived yet) keeps training', () => {
    assert.equal(planSwitch(SIDE_BY_SIDE, null), null);
  });
});
