// Training throughput of the reference model on every backend this machine can start.
// Usage: pnpm build at the root, then from apps/perf: node bench/throughput.mjs [--cpu-batches 2] [--epochs 2] [--rounds 1]
//        [--backend tensorflow|wasm-stock|wasm|cpu|train-1t|train-dp|pytorch, or a list such as wasm,train-dp,pytorch]
//        [--torch-threads 2,1] [--no-ceilings]
//
// train-1t and train-dp train the same model, on the default backend, through @ddar/training's train(): on the main
// thread alone, and data-parallel with one worker thread per spare core (bench/train_api.mjs says what train() does
// beyond the bare loop; they need the whole workspace built).
//
// PyTorch on CPU (bench/pytorch_reference.py, same model, batch and optimizer) runs in the same process run,
// alternating with the default wasm backend `--rounds` times, once per thread count of `--torch-threads`
// (default 2,1: torch.set_num_threads(2) is the target's setting, but on a loaded 2-core machine OpenMP's 2 threads
// are often much slower than 1, so the best of both is the fair reference), and the last lines print
// `ours / pytorch` for each thread count and against the faster of them. Without `python3 -c 'import torch'` it prints
// that PyTorch is not installed and skips it.
//
// Then, in the same run (unless --no-ceilings), the ceilings of bench/ceilings.mjs (512^3 float32 matmul on wasm with
// 1 and 2 threads, in PyTorch with 1 and 2 threads; the CPU and the load), and every rate as GFLOP/s: images/s x the
// FLOP per image of a training step counted by bench/flops.mjs (conv and dense multiply-adds x 2 FLOP, forward once,
// backward twice; 8.61 MFLOP for this model), with its percentage of the two-thread wasm ceiling.
//
// Reference model: conv 3x3x32 valid + relu, maxpool 2, conv 3x3x64 stride 2 same + relu, flatten,
// dense 128 relu, dense 10 softmax; Adam; 2048 random 28x28x1 images, batch 128.
// The loop is a plain optimizer.minimize over pre-made batches (faster than model.fit, which
// awaits callbacks and reads the loss back every batch), identical for every backend. The first
// batch on each backend is a warm-up (kernel setup, XNNPACK operator creation) and is not timed.
/* global console */
import os from 'node:os';
import process from 'node:process';
import { URL } from 'node:url';
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '@ddar/backend';
import { cpuDescription, measureCeilings, printAchieved, printCeilings } from './ceilings.mjs';
import { trainingFlopsPerImage } from './flops.mjs';
import { positiveIntegerOption } from './options.mjs';
import { pytorchAvailable, runPytorch, torchThreadCounts } from './pytorch.mjs';
import { createReferenceModel, referenceNetwork } from './reference_model.mjs';
import { randomDataset, trainApiThroughput } from './train_api.mjs';

const IMAGES = 2048;
const BATCH = 128;

const option = (name, fallback) => positiveIntegerOption('throughput', name, fallback);

const EPOCHS = option('epochs', 2);
const ONLY = process.argv.includes('--backend') ? new Set(process.argv[process.argv.indexOf('--backend') + 1].split(',')) : undefined;
const selected = (name) => ONLY === undefined || ONLY.has(name);
// The pure-JS cpu backend needs minutes per batch of 128; a few batches give its rate.
const CPU_BATCHES = option('cpu-batches', 2);
const ROUNDS = option('rounds', 1);
const CEILINGS = !process.argv.includes('--no-ceilings');

function randomBatches() {
  const batches = [];
  for (let start = 0; start < IMAGES; start += BATCH) {
    const xs = tf.randomUniform([BATCH, 28, 28, 1], 0, 1, 'float32', 1000 + start);
    const labels = tf.randomUniform([BATCH], 0, 10, 'int32', 2000 + start);
    const ys = tf.tidy(() => tf.cast(tf.oneHot(labels, 10), 'float32'));
    labels.dispose();
    batches.push({ xs, ys });
  }
  return batches;
}

/** Trains `steps` batches (cycling over the data) and returns the seconds each one took. */
function train(steps) {
  const model = referenceNetwork();
  const optimizer = tf.train.adam(1e-3);
  const batches = randomBatches();
  const seconds = [];
  let lastLoss = NaN;
  for (let step = 0; step < steps; step++) {
    const { xs, ys } = batches[step % batches.length];
    const started = performance.now();
    const loss = optimizer.minimize(() => tf.mean(tfl.metrics.categoricalCrossentropy(ys, model.apply(xs))), true);
    // Every backend here computes synchronously, but reading the loss makes that explicit.
    lastLoss = loss.dataSync()[0];
    loss.dispose();
    seconds.push((performance.now() - started) / 1000);
  }
  for (const { xs, ys } of batches) tf.dispose([xs, ys]);
  optimizer.dispose();
  model.dispose();
  return { seconds, lastLoss };
}

const batchesPerEpoch = IMAGES / BATCH;
console.log(
  `reference model, ${IMAGES} random 28x28x1 images, batch ${BATCH}, Adam; node ${process.version}, ` +
    `${cpuDescription()}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`,
);
const results = [];
const withPytorch = selected('pytorch') && pytorchAvailable();

function runPytorchReference() {
  for (const threads of torchThreadCounts()) {
    const torch = runPytorch('reference', { epochs: EPOCHS, threads });
    if (torch === undefined) continue;
    const r = torch.reference;
    const name = `pytorch-${torch.threads}t`;
    console.log(
      `${name.padEnd(10)} ${r.images_per_s.toFixed(1).padStart(8)} images/s  (torch ${torch.torch}, ${torch.threads} threads; ` +
        `${r.timed_steps} timed batches; ${r.s_per_step.toFixed(3)} s/batch, final loss ${r.final_loss.toFixed(3)})`,
    );
    results.push({ name, rate: r.images_per_s, torch: true });
  }
}

function runOurs(name) {
  const full = name !== 'cpu';
  const steps = full ? EPOCHS * batchesPerEpoch : CPU_BATCHES + 1;
  const { seconds, lastLoss } = train(steps);
  const timed = seconds.slice(1);
  const total = timed.reduce((a, b) => a + b, 0);
  const rate = (timed.length * BATCH) / total;
  const what = full
    ? `${EPOCHS} epochs = ${steps} batches, first excluded as warm-up`
    : `${timed.length} batches only (too slow for ${EPOCHS} epochs), first batch excluded as warm-up`;
  console.log(
    `${name.padEnd(10)} ${rate.toFixed(1).padStart(8)} images/s  (${what}; ${(total / timed.length).toFixed(3)} s/batch, final loss ${lastLoss.toFixed(3)})`,
  );
  results.push({ name, rate });
}

const SPARE_CORES = Math.max(1, os.availableParallelism() - 1);
const REPLICA = { module: new URL('./reference_model.mjs', import.meta.url), exportName: 'createReferenceModel' };

async function runTrainApi(name) {
  const workers = name === 'train-dp' ? SPARE_CORES : 0;
  const dataset = randomDataset(IMAGES);
  const r = await trainApiThroughput({ createModel: createReferenceModel, dataset, batchSize: BATCH, epochs: EPOCHS, workers, replica: REPLICA });
  dataset.dispose();
  console.log(
    `${name.padEnd(10)} ${r.rate.toFixed(1).padStart(8)} images/s  (train(), ${r.threads} thread${r.threads > 1 ? 's' : ''}; ${r.steps} timed batches, ` +
      `${r.perStep.toFixed(3)} s/batch, final loss ${r.lastLoss.toFixed(3)})`,
  );
  results.push({ name, rate: r.rate });
}

// 'wasm-stock' is wasm with only the missing training kernels added (initBackend's replaceKernels: false); it runs
// first because replacements, once registered, stay registered. 'wasm' is the default: stock + replacement kernels.
// PyTorch alternates with 'wasm' so that both see the same machine load.
const trainApiSelected = selected('train-1t') || selected('train-dp');
for (const name of ['tensorflow', 'wasm-stock', 'wasm', 'cpu'].filter((n) => selected(n) || (n === 'wasm' && trainApiSelected))) {
  try {
    await initBackend({ backend: name === 'wasm-stock' ? 'wasm' : name, replaceKernels: name !== 'wasm-stock', log: false });
  } catch (error) {
    console.log(`${name.padEnd(10)}  not available: ${error.message.split('\n')[0]}`);
    continue;
  }
  const rounds = name === 'wasm' ? ROUNDS : 1;
  for (let round = 0; round < rounds; round++) {
    if (name === 'wasm' && withPytorch) runPytorchReference();
    if (selected(name)) runOurs(name);
    if (name === 'wasm') {
      for (const api of ['train-1t', 'train-dp'].filter(selected)) await runTrainApi(api);
    }
  }
}
if (!selected('wasm') && !trainApiSelected && withPytorch) runPytorchReference();

const mean = (name) => {
  const rates = results.filter((r) => r.name === name).map((r) => r.rate);
  return rates.length === 0 ? undefined : rates.reduce((a, b) => a + b, 0) / rates.length;
};
const names = [...new Set(results.map((r) => r.name))];
const fastest = Math.max(...names.map(mean));
console.log(`ratio to fastest: ${names.map((n) => `${n} ${(mean(n) / fastest).toFixed(3)}`).join(', ')}`);
const torchNames = names.filter((n) => n.startsWith('pytorch-'));
const ourNames = names.filter((n) => !n.startsWith('pytorch-'));
const ratios = (torchRate) => ourNames.map((n) => `${n} ${(mean(n) / torchRate).toFixed(3)}`).join(', ');
for (const torchName of ourNames.length > 0 ? torchNames : []) console.log(`ours / ${torchName}: ${ratios(mean(torchName))} (means over rounds)`);
if (ourNames.length > 0 && torchNames.length > 1) {
  const best = torchNames.reduce((a, b) => (mean(b) > mean(a) ? b : a));
  console.log(`ours / best pytorch (${best}): ${ratios(mean(best))}`);
}
console.log(`load average after: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
if (CEILINGS) {
  const ceilings = await measureCeilings({ withPytorch });
  printCeilings(ceilings);
  await tf.ready(); // --backend pytorch alone initializes no backend; counting builds the model
  const model = referenceNetwork();
  const flops = trainingFlopsPerImage(model);
  model.dispose();
  for (const name of names) printAchieved(name, mean(name), flops, ceilings);
}
