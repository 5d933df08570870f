// What the fused geometry kernels buy on wasm: @ddar/disentangle's warp and integral grid with @ddar/backend's fused
// kernels registered and unregistered (the composite ops), alternating in one process.
// Usage: pnpm build at the root, then from apps/perf: node bench/warp_kernels.mjs [--rounds N] [--steps N]
//   1. forward + backward of the geometric path (2*sigmoid, tanh, integral grid, warp) at batch 64, 28x28x1:
//      median over --rounds (default 15) alternating calls of each;
//   2. one training step (Adam) of the MNIST DDAR model (integral geometry, smallCnn at width 0.5, batch 64):
//      median over --rounds/3 alternating blocks of --steps (default 3) steps of each.
/* global console */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, registerWasmFusedKernels, unregisterWasmFusedKernels } from '@ddar/backend';
import { DDARModel, affineResidual, integralAffineDisplacement, warp, warpIncrements } from '@ddar/disentangle';
import { positiveIntegerOption } from './options.mjs';

const ROUNDS = positiveIntegerOption('warp_kernels', 'rounds', 15);
const STEPS = positiveIntegerOption('warp_kernels', 'steps', 3);
const BATCH = 64;

await initBackend({ backend: 'wasm', log: false });
const PATHS = { composite: unregisterWasmFusedKernels, fused: registerWasmFusedKernels };

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Runs `run` under each path alternately, `rounds` times after one warm-up call each; ms per call, median. */
function alternate(run, rounds, callsPerRound = 1) {
  const times = { composite: [], fused: [] };
  for (const use of Object.values(PATHS)) {
    use();
    run();
  }
  for (let round = 0; round < rounds; round++) {
    for (const [name, use] of Object.entries(PATHS)) {
      use();
      const start = performance.now();
      for (let i = 0; i < callsPerRound; i++) run();
      times[name].push((performance.now() - start) / callsPerRound);
    }
  }
  registerWasmFusedKernels();
  return { composite: median(times.composite), fused: median(times.fused) };
}

function report(label, { composite, fused }) {
  console.log(`${label.padEnd(64)} composite ${composite.toFixed(2).padStart(7)} ms   fused ${fused.toFixed(2).padStart(7)} ms   ${(composite / fused).toFixed(2)}x`);
}

const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
console.log(`${os.cpus()[0].model}; load average ${load()}`);

// 1. The geometric path alone.
const template = tf.randomUniform([BATCH, 28, 28, 1]);
const logits = tf.randomNormal([BATCH, 28, 28, 2], 0, 0.5);
const raw = tf.randomNormal([BATCH, 6], 0, 0.1);
const upstream = tf.randomNormal([BATCH, 28, 28, 1]);
const geometry = () =>
  tf.tidy(() => {
    const grads = tf.grads((t, l, r) => tf.sum(tf.mul(warp(t, integralAffineDisplacement(warpIncrements(l), affineResidual(r))), upstream)))([
      template,
      logits,
      raw,
    ]);
    grads.forEach((g) => g.dataSync());
  });
report(`warp + integral grid, forward + backward, [${BATCH},28,28,1] (median of ${ROUNDS})`, alternate(geometry, ROUNDS));

// 2. One DDAR training step.
const model = DDARModel.create({ inputShape: [28, 28, 1], numClasses: 10, backboneOptions: { width: 0.5 }, seed: 1 });
const optimizer = tf.train.adam(1e-3);
const images = tf.randomUniform([BATCH, 28, 28, 1]);
const labels = tf.randomUniform([BATCH], 0, 10, 'int32');
const step = () => {
  const loss = optimizer.minimize(() => {
    const { total, terms } = model.lossTerms(images, labels);
    tf.dispose(Object.values(terms));
    return total;
  }, true);
  loss.dataSync();
  loss.dispose();
};
const stepRounds = Math.max(3, Math.round(ROUNDS / 3));
report(`DDAR training step, integral geometry, batch ${BATCH} (median of ${stepRounds} x ${STEPS})`, alternate(step, stepRounds, STEPS));
console.log(`load average ${load()}`);
