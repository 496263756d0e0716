import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend, type BackendName } from './backend.js';
import { LogisticRegression } from './logistic.js';
import { SYNTHETIC_SCHEMA, syntheticExamples } from './synthetic.js';
import { tf } from './tf.js';

const tfjsNodeUsable = await import('@tensorflow/tfjs-node' as string).then(
  () => true,
  () => false,
);

function trainsHere(): void {
  const learner = new LogisticRegression(SYNTHETIC_SCHEMA);
  const { xs, ys } = syntheticExamples('classification', 256, 1);
  learner.learnMany(xs, ys);
  assert.ok(Number.isFinite(learner.predictOne(xs[0] ?? {})));
  learner.dispose();
}

test('backend - picks the first backend that works and says why it passed over the others', async () => {
  const fallbacks: Array<[BackendName, string]> = [];
  const chosen = await initBackend({ onFallback: (name, reason) => fallbacks.push([name, reason]) });
  assert.equal(tf.getBackend(), chosen);
  if (tfjsNodeUsable) {
    assert.equal(chosen, 'tensorflow');
  } else {
    assert.equal(fallbacks[0]?.[0], 'tensorflow');
    assert.match(fallbacks[0]?.[1] ?? '', /^@tensorflow\/tfjs-node is not usable here \(/);
    assert.equal(chosen, 'wasm', `fallbacks: ${JSON.stringify(fallbacks)}`);
  }
  trainsHere();
});

test('backend - the wasm backend loads its binaries from node_modules and trains', async () => {
  assert.equal(await initBackend({ prefer: ['wasm'] }), 'wasm');
  assert.equal(tf.getBackend(), 'wasm');
  trainsHere();
});

test('backend - leaves no process listener of the wasm runtime behind', async () => {
  const before = [process.listenerCount('uncaughtException'), process.listenerCount('unhandledRejection')];
  await initBackend({ prefer: ['wasm'] });
  assert.deepEqual([process.listenerCount('uncaughtException'), process.listenerCount('unhandledRejection')], before);
});

test('backend - a backend lacking a kernel the learners need is passed over for cpu, naming the kernel', async () => {
  const kernel = tf.getKernel('Log1p', 'wasm');
  assert.ok(kernel, 'the wasm backend registers Log1p');
  tf.unregisterKernel('Log1p', 'wasm');
  try {
    const reasons: string[] = [];
    assert.equal(
      await initBackend({ prefer: ['wasm', 'cpu'], onFallback: (_, reason) => reasons.push(reason) }),
      'cpu',
    );
    assert.match(reasons[0] ?? '', /Log1p/);
    trainsHere();
  } finally {
    tf.registerKernel(kernel);
  }
});

test('backend - the cpu backend always starts', async () => {
  assert.equal(await initBackend({ prefer: ['cpu'] }), 'cpu');
  trainsHere();
});

test(
  'backend - fails with every reason when no preferred backend starts',
  { skip: tfjsNodeUsable && 'tfjs-node works here' },
  async () => {
    await assert.rejects(initBackend({ prefer: ['tensorflow'] }), (error: Error) => {
      assert.equal(error.name, 'BackendError');
      assert.match(
        error.message,
        /^no TensorFlow\.js backend could start \(tried tensorflow\):\n {2}- tensorflow: @tensorflow\/tfjs-node is not usable here/,
      );
      return true;
    });
  },
);
