// Where a training step of the reference model spends its time on wasm, kernel by kernel.
// Usage: npx tsc -p tsconfig.build.json && node bench/profile_step.mjs [--speed]
//   --speed  also install the opt-in registerWasmReplacementKernels() overrides.
/* global console */
import process from 'node:process';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '../dist/index.js';
import { registerWasmReplacementKernels } from '../dist/kernels/register_replacement_kernels.js';

const STEPS = 5;
await initBackend({ backend: 'wasm', log: false });
if (process.argv.includes('--speed')) {
  registerWasmReplacementKernels();
}

const model = tfl.sequential();
model.add(tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, padding: 'valid', activation: 'relu' }));
model.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
model.add(tfl.layers.conv2d({ filters: 64, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }));
model.add(tfl.layers.flatten());
model.add(tfl.layers.dense({ units: 128, activation: 'relu' }));
model.add(tfl.layers.dense({ units: 10, activation: 'softmax' }));
const optimizer = tf.train.adam(1e-3);
const xs = tf.randomUniform([128, 28, 28, 1]);
const ys = tf.tidy(() => tf.cast(tf.oneHot(tf.randomUniform([128], 0, 10, 'int32'), 10), 'float32'));
const step = () => {
  const loss = optimizer.minimize(() => tf.mean(tfl.metrics.categoricalCrossentropy(ys, model.apply(xs))), true);
  loss.dataSync();
  loss.dispose();
};
step(); // warm-up

const totals = new Map();
for (let i = 0; i < STEPS; i++) {
  const info = await tf.profile(step);
  for (const kernel of info.kernels) {
    const key = `${kernel.name} ${JSON.stringify(kernel.inputShapes)}`;
    totals.set(key, (totals.get(key) ?? 0) + (await kernel.kernelTimeMs));
  }
}
const rows = [...totals].sort((a, b) => b[1] - a[1]);
console.log(`kernel time per step: ${(rows.reduce((sum, [, ms]) => sum + ms, 0) / STEPS).toFixed(1)} ms (mean of ${STEPS} steps)`);
for (const [key, ms] of rows.slice(0, 15)) {
  console.log(`${(ms / STEPS).toFixed(2).padStart(8)} ms  ${key}`);
}
