// The `{ module }` model of sharded_attack tests. Workers load it with a real import(); it is CommonJS so that it runs
// under the swc preload the test workers use. It builds a plain function from images to logits: a closure that a
// module can build in every thread, though no closure can be sent to one.
const { isMainThread } = require('node:worker_threads');
const tf = require('@tensorflow/tfjs-core');
const { SeededRandom } = require('../../../random/src/index.ts');

// `faultInWorker` makes only the workers' copies fail, so that an error surfaces from a worker thread: 'build' when
// the model is built, 'logits' when it is run.
exports.createLinearClassifier = ({ inputShape, numClasses, seed, faultInWorker }) => {
  if (faultInWorker === 'build' && !isMainThread) throw new Error('cannot build the model in a worker');
  const pixels = inputShape.reduce((a, b) => a * b, 1);
  const weights = tf.tensor2d(new SeededRandom(seed).normalArray(pixels * numClasses).map((v) => v * 0.1), [pixels, numClasses]);
  return (x) => {
    if (faultInWorker === 'logits' && !isMainThread) throw new Error('logits failed in the worker');
    return tf.matMul(tf.reshape(x, [x.shape[0], pixels]), weights);
  };
};
exports.notAFunction = 42;
