// The one place the learners import TensorFlow.js from. The CPU backend is always registered, so a
// learner works before (or without) initBackend(); tfjs-layers is imported for a side effect: its
// Node build registers the gradient functions, which tfjs-core's Node build lacks (without it,
// optimizer.minimize fails with "gradient function not found"). Production mode drops tfjs' debug
// checks and its console banner about tfjs-node.

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-layers';

tf.enableProdMode();

export { tf };
