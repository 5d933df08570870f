// Where a training step (of the reference model, or with --ddar the MNIST DDAR model) spends its time on wasm, by kernel.
// Usage: pnpm build at the root, then from apps/perf: node bench/profile_step.mjs [--stock] [--ddar|--pgd] [--displacement]
//        [--batch N]
//   --stock  leave out the replacement kernels (initBackend's replaceKernels: false).
//   --ddar   profile a training step of the MNIST DDAR model (batch 64) instead of the reference model: the model
//            bench/ddar_throughput.mjs trains (DDARModel.create defaults, geometry 'integral'), with its default loss;
//   --pgd    one PGD step (input gradient of the DDAR model's classify path, batch 128);
//   --displacement  with --ddar or --pgd, the first version's geometry (geometry: 'displacement') instead.
//   --batch N  the batch size (default 128 for the reference model and PGD, 64 for DDAR).
/* global console */
import process from 'node:process';
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '@ddar/backend';
import { positiveIntegerOption } from './options.mjs';
import { referenceNetwork } from './reference_model.mjs';

const STEPS = 5;
const BATCH = positiveIntegerOption('profile_step', 'batch', undefined);
await initBackend({ backend: 'wasm', log: false, replaceKernels: !process.argv.includes('--stock') });

const model = referenceNetwork();
const optimizer = tf.train.adam(1e-3);
const xs = tf.randomUniform([BATCH ?? 128, 28, 28, 1]);
const ys = tf.tidy(() => tf.cast(tf.oneHot(tf.randomUniform([BATCH ?? 128], 0, 10, 'int32'), 10), 'float32'));
let step = () => {
  const loss = optimizer.minimize(() => tf.mean(tfl.metrics.categoricalCrossentropy(ys, model.apply(xs))), true);
  loss.dataSync();
  loss.dispose();
};
if (process.argv.includes('--ddar') || process.argv.includes('--pgd')) {
  const { DDARModel } = await import('@ddar/disentangle');
  const ddar = DDARModel.create({
    inputShape: [28, 28, 1],
    numClasses: 10,
    backboneOptions: { width: 0.5 },
    seed: 1,
    ...(process.argv.includes('--displacement') ? { geometry: 'displacement' } : {}),
  });
  const batch = BATCH ?? (process.argv.includes('--pgd') ? 128 : 64);
  const images = tf.randomUniform([batch, 28, 28, 1]);
  const labels = tf.randomUniform([batch], 0, 10, 'int32');
  step = process.argv.includes('--pgd')
    ? () => {
        const g = tf.grad((x) => tf.losses.softmaxCrossEntropy(tf.oneHot(labels, 10), ddar.classify(x)))(images);
        g.dataSync();
        g.dispose();
      }
    : () => {
        const loss = optimizer.minimize(() => {
          const { total, terms } = ddar.lossTerms(images, labels);
          tf.dispose(Object.values(terms));
          return total;
        }, true);
        loss.dataSync();
        loss.dispose();
      };
}
step(); // warm-up

const wallStart = performance.now();
for (let i = 0; i < STEPS; i++) step();
const wallMs = (performance.now() - wallStart) / STEPS;
const totals = new Map();
for (let i = 0; i < STEPS; i++) {
  const info = await tf.profile(step);
  for (const kernel of info.kernels) {
    const key = `${kernel.name} ${JSON.stringify(kernel.inputShapes)}`;
    totals.set(key, (totals.get(key) ?? 0) + (await kernel.kernelTimeMs));
  }
}
const rows = [...totals].sort((a, b) => b[1] - a[1]);
console.log(
  `kernel time per step: ${(rows.reduce((sum, [, ms]) => sum + ms, 0) / STEPS).toFixed(1)} ms; wall time unprofiled: ${wallMs.toFixed(1)} ms ` +
    `(means of ${STEPS} steps; the difference is what runs between kernels)`,
);
for (const [key, ms] of rows.slice(0, 25)) {
  console.log(`${(ms / STEPS).toFixed(2).padStart(8)} ms  ${key}`);
}
