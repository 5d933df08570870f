// One worker thread of bench/ceilings.mjs: times tf.matMul of two [size, size] float32 matrices on its own wasm
// backend. It reports { ready } after its warm-up products, waits for a message to start (so that several workers run
// at the same time), then reports { seconds: [...] }, the time of each of `repeats` products.
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@ddar/backend';

const { size, repeats, warmups } = workerData;
await initBackend({ backend: 'wasm', log: false });
const a = tf.randomNormal([size, size], 0, 1, 'float32', 1);
const b = tf.randomNormal([size, size], 0, 1, 'float32', 2);
const product = () => tf.tidy(() => void tf.matMul(a, b).dataSync());
for (let i = 0; i < warmups; i++) product();
parentPort.postMessage({ ready: true });
parentPort.once('message', () => {
  const seconds = [];
  for (let i = 0; i < repeats; i++) {
    const started = performance.now();
    product();
    seconds.push((performance.now() - started) / 1000);
  }
  tf.dispose([a, b]);
  parentPort.postMessage({ seconds });
});
