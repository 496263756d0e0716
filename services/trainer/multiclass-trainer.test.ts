// The multi-class trainer on a known answer: classes drawn from a softmax of a linear function of
// the features, through Example records as the joiner writes them (the class as labelClass, or an
// outcome's index into the actions), published, and served by the predictor's ClassChooser.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LinearSoftmaxSource } from '../lib/multiclass/generator.js';
import type { Example } from '../lib/schemas/generated.js';
import { exampleRecord } from '../lib/joiner/test-records.js';
import { ClassChooser } from '../predictor/classes.js';
import { MulticlassTrainer } from './multiclass-trainer.js';
import { colourPickBlueprint, COLOURS } from './test-fixtures.js';

function example(x: Example['features'], labelClass: string | null, label: number): Example {
  return exampleRecord({ features: x, labelClass, label });
}

describe('multi-class trainer', () => {
  it('multiclass trainer - learns classes from labelClass or an action index, and the served top class is within 0.02 of the Bayes accuracy', async () => {
    const trainer = new MulticlassTrainer(colourPickBlueprint(['x1', 'x2']));
    const source = new LinearSoftmaxSource(5);
    for (let i = 0; i < 20_000; i++) {
      const { x, label } = source.next();
      // Half come as a class name (a product event's field), half as an outcome's index into the actions.
      const e = i % 2 === 0 ? example(x, label, Number.NaN) : example(x, null, COLOURS.indexOf(label));
      assert.ok(trainer.add(e));
    }
    assert.equal(trainer.add(example({}, null, 9)), false, 'an index past the actions teaches nothing');
    await trainer.learnQueued();
    const published = trainer.publish(5000);
    assert.ok(published);
    assert.equal(published.record.artifactFormat, 'looper-softmax/1');
    assert.ok(published.record.metrics['top1_accuracy']! > 0.6, JSON.stringify(published.record.metrics));
    const chooser = ClassChooser.fromArtifact(published.record.artifact);
    let served = 0;
    let bayes = 0;
    const test = new LinearSoftmaxSource(99);
    for (let i = 0; i < 5000; i++) {
      const { x, truth } = test.next();
      const chosen = chooser.choose(x, 2);
      assert.equal(chosen.ranking.length, 2);
      served += truth[COLOURS.indexOf(chosen.ranking[0]!)]!;
      bayes += Math.max(...truth);
    }
    console.log(`# served top-1 accuracy ${(served / 5000).toFixed(4)}, Bayes ${(bayes / 5000).toFixed(4)}`);
    assert.ok(served / 5000 >= bayes / 5000 - 0.02, `${served / 5000} vs ${bayes / 5000}`);
    assert.equal(trainer.publish(6000), null, 'nothing new learned, nothing published');
  });
});
