// Training throughput of the MNIST DDAR model, and PGD-40 attack throughput on its classification path, on the
// default backend (initBackend(): wasm here, with the training and replacement kernels), next to PyTorch on CPU
// (bench/pytorch_reference.py: a port of the same model, same loss, batch size and optimizer) in the same run.
// Usage: pnpm build at the root, then from apps/perf:
//        node bench/ddar_throughput.mjs [--epochs 3] [--rounds 1] [--no-pgd] [--no-train] [--no-train-api] [--no-pytorch]
//        [--torch-threads 2,1] [--displacement] [--no-ceilings]
// Besides the bare loop below, the same model trains through @ddar/training's train() on one thread and data-parallel
// with one worker thread per spare core (bench/train_api.mjs; --no-train-api skips both).
// PyTorch runs once per thread count (default 2 and 1: on a loaded 2-core machine 1 thread is often faster); the
// ratios are printed against each and against the faster of them.
//
// Model: DDARModel.create({ inputShape: [28, 28, 1], numClasses: 10, backboneOptions: { width: 0.5 }, seed: 1 }), the
// model the library ships: the default 'integral' geometry (codes 8 / 64, global affine + integral warp), trained with
// optimizer.minimize(() => model.lossTerms(xs, labels).total) (DEFAULT_DDAR_LOSS_WEIGHTS: CE + 10 MSE + TV of the grid
// increments + bias reduction), Adam 1e-3, batch 64, 2048 random images. bench/pytorch_reference.py ports it layer for
// layer (`--model ddar`); bench/pytorch_parity.mjs checks that the two compute the same loss and gradients.
// --displacement benchmarks the first version's geometry instead (geometry: 'displacement', codes 64 / 16, CE + MSE +
// 0.01 TV + 0.01 magnitude; PyTorch `--model ddar-displacement`).
// PGD-40: pgdAdversarial(x => model.classify(x), ...), L-inf eps 0.3, default step 2.5 eps / 40, batch 128, on one
// thread; and the same attack sharded over every core with @ddar/training's ShardedAttackPool (see pgdSharded).
// The first batch (first attack) is a warm-up and is not timed.
//
// Then, in the same run (unless --no-ceilings), the ceilings of bench/ceilings.mjs (512^3 float32 matmul on wasm with
// 1 and 2 threads, in PyTorch with 1 and 2 threads; the CPU and the load), and every training rate as GFLOP/s: images/s
// x the FLOP per image of a training step counted by bench/flops.mjs (conv and dense multiply-adds x 2 FLOP, forward
// once, backward twice, plus the integral warp's running sums; 31.18 MFLOP for the integral model), with its
// percentage of the two-thread wasm ceiling.
/* global console */
import os from 'node:os';
import process from 'node:process';
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@ddar/backend';
import { DDARModel } from '@ddar/disentangle';
import { pgdAdversarial } from '@ddar/attacks';
import { ShardedAttackPool } from '@ddar/training';
import { cpuDescription, measureCeilings, printAchieved, printCeilings } from './ceilings.mjs';
import { ddarTrainingFlopsPerImage } from './flops.mjs';
import { positiveIntegerOption } from './options.mjs';
import { pytorchAvailable, runPytorch, torchThreadCounts } from './pytorch.mjs';
import { randomDataset, trainApiThroughput } from './train_api.mjs';

const IMAGES = 2048;
const BATCH = 64;
const PGD_BATCH = 128;
const PGD_REPEATS = 3;

const option = (name, fallback) => positiveIntegerOption('ddar_throughput', name, fallback);
const EPOCHS = option('epochs', 3);
const ROUNDS = option('rounds', 1);
const TRAIN = !process.argv.includes('--no-train');
const PGD = !process.argv.includes('--no-pgd');
const TRAIN_API = TRAIN && !process.argv.includes('--no-train-api');
const SPARE_CORES = Math.max(1, os.availableParallelism() - 1);
const DISPLACEMENT = process.argv.includes('--displacement');
const CEILINGS = !process.argv.includes('--no-ceilings');
const TORCH_SUFFIX = DISPLACEMENT ? '-displacement' : '';

const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
const createModel = () =>
  DDARModel.create({
    inputShape: [28, 28, 1],
    numClasses: 10,
    backboneOptions: { width: 0.5 },
    seed: 1,
    ...(DISPLACEMENT ? { geometry: 'displacement' } : {}),
  });

function trainOurs() {
  const model = createModel();
  const optimizer = tf.train.adam(1e-3);
  const batches = [];
  for (let start = 0; start < IMAGES; start += BATCH) {
    batches.push({
      xs: tf.randomUniform([BATCH, 28, 28, 1], 0, 1, 'float32', 1000 + start),
      labels: tf.randomUniform([BATCH], 0, 10, 'int32', 2000 + start),
    });
  }
  const steps = EPOCHS * batches.length;
  const seconds = [];
  let lastLoss = NaN;
  for (let step = 0; step < steps; step++) {
    const { xs, labels } = batches[step % batches.length];
    const started = performance.now();
    const loss = optimizer.minimize(() => {
      const { total, terms } = model.lossTerms(xs, labels);
      tf.dispose(Object.values(terms));
      return total;
    }, true);
    lastLoss = loss.dataSync()[0];
    loss.dispose();
    seconds.push((performance.now() - started) / 1000);
  }
  for (const { xs, labels } of batches) tf.dispose([xs, labels]);
  optimizer.dispose();
  model.dispose();
  const timed = seconds.slice(1);
  const total = timed.reduce((a, b) => a + b, 0);
  return { rate: (timed.length * BATCH) / total, perStep: total / timed.length, steps: timed.length, lastLoss };
}

function pgdOurs() {
  const model = createModel();
  const x = tf.randomUniform([PGD_BATCH, 28, 28, 1], 0, 1, 'float32', 7);
  const y = tf.randomUniform([PGD_BATCH], 0, 10, 'int32', 8);
  const attack = () => {
    const adversarial = pgdAdversarial((images) => model.classify(images), x, y, { epsilon: 0.3, steps: 40, seed: 3 });
    adversarial.dataSync();
    adversarial.dispose();
  };
  attack(); // warm-up
  const started = performance.now();
  for (let i = 0; i < PGD_REPEATS; i++) attack();
  const seconds = (performance.now() - started) / 1000;
  tf.dispose([x, y]);
  model.dispose();
  return { rate: (PGD_REPEATS * PGD_BATCH) / seconds };
}

/**
 * PGD-40 across the cores: @ddar/training's ShardedAttackPool with one worker per spare core, the batch cut into
 * chunks of 64 shared out among the threads. The pool is started and warmed up (a one-step attack) before the timed
 * attacks, as an evaluation that runs many attacks on one model does. It runs @ddar/attacks' PGD class, which also
 * keeps each image's best iterate, a little more work per step than pgdAdversarial's loop.
 */
async function pgdSharded() {
  const model = createModel();
  const x = tf.randomUniform([PGD_BATCH, 28, 28, 1], 0, 1, 'float32', 7);
  const y = tf.randomUniform([PGD_BATCH], 0, 10, 'int32', 8);
  const labels = y.dataSync();
  const pool = await ShardedAttackPool.start(model, { workers: SPARE_CORES, log: false });
  const call = { epsilons: [0.3], chunkSize: 64 };
  await pool.attack(x, labels, { attack: 'pgd', options: { steps: 1 } }, call);
  const started = performance.now();
  for (let i = 0; i < PGD_REPEATS; i++) await pool.attack(x, labels, { attack: 'pgd', options: { steps: 40, seed: 3 } }, call);
  const seconds = (performance.now() - started) / 1000;
  await pool.dispose();
  tf.dispose([x, y]);
  model.dispose();
  return { rate: (PGD_REPEATS * PGD_BATCH) / seconds, threads: pool.threads };
}

const info = await initBackend({ log: false });
const counted = createModel();
const FLOPS = ddarTrainingFlopsPerImage(counted);
const GEOMETRY = counted.geometry;
counted.dispose();
console.log(
  `MNIST DDAR model (smallCnn width 0.5, geometry ${GEOMETRY}), ${IMAGES} random 28x28x1 images, batch ${BATCH}, Adam; ` +
    `backend ${info.name}; node ${process.version}, ${cpuDescription()}, load average ${load()}`,
);
const withPytorch = !process.argv.includes('--no-pytorch') && pytorchAvailable();
const rows = { ours: [], oursPgd: [], shardedPgd: [], train1t: [], trainDp: [] };
const torchRows = new Map(); // 'train 2t' -> [images/s, ...]
const addTorch = (key, rate) => torchRows.set(key, [...(torchRows.get(key) ?? []), rate]);
for (let round = 0; round < ROUNDS; round++) {
  if (TRAIN) {
    for (const threads of withPytorch ? torchThreadCounts() : []) {
      const torch = runPytorch(`ddar${TORCH_SUFFIX}`, { epochs: EPOCHS, threads });
      if (torch !== undefined) {
        addTorch(`train ${torch.threads}t`, torch.ddar.images_per_s);
        console.log(
          `train  pytorch ${torch.ddar.images_per_s.toFixed(1).padStart(8)} images/s  (torch ${torch.torch}, ${torch.threads} threads; ` +
            `${torch.ddar.timed_steps} timed batches, ${torch.ddar.s_per_step.toFixed(3)} s/batch, loss ${torch.ddar.final_loss.toFixed(3)})`,
        );
      }
    }
    const ours = trainOurs();
    rows.ours.push(ours.rate);
    console.log(
      `train  ${info.name.padEnd(7)} ${ours.rate.toFixed(1).padStart(8)} images/s  (${ours.steps} timed batches, ` +
        `${ours.perStep.toFixed(3)} s/batch, loss ${ours.lastLoss.toFixed(3)}; load ${load()})`,
    );
    for (const workers of TRAIN_API ? [0, SPARE_CORES] : []) {
      const dataset = randomDataset(IMAGES);
      const r = await trainApiThroughput({ createModel, dataset, batchSize: BATCH, epochs: EPOCHS, workers });
      dataset.dispose();
      (workers === 0 ? rows.train1t : rows.trainDp).push(r.rate);
      console.log(
        `train() ${String(r.threads).padStart(2)}t  ${r.rate.toFixed(1).padStart(8)} images/s  (${r.steps} timed batches, ` +
          `${r.perStep.toFixed(3)} s/batch, loss ${r.lastLoss.toFixed(3)}; load ${load()})`,
      );
    }
  }
  if (PGD) {
    for (const threads of withPytorch ? torchThreadCounts() : []) {
      const torch = runPytorch(`pgd${TORCH_SUFFIX}`, { threads });
      if (torch !== undefined) {
        addTorch(`pgd ${torch.threads}t`, torch.pgd40.images_per_s);
        console.log(`pgd40  pytorch ${torch.pgd40.images_per_s.toFixed(1).padStart(8)} images/s  (${torch.threads} threads; batch ${PGD_BATCH}, eps 0.3)`);
      }
    }
    const ours = pgdOurs();
    rows.oursPgd.push(ours.rate);
    console.log(`pgd40  ${info.name.padEnd(7)} ${ours.rate.toFixed(1).padStart(8)} images/s  (batch ${PGD_BATCH}, eps 0.3, 1 thread; load ${load()})`);
    const sharded = await pgdSharded();
    rows.shardedPgd.push(sharded.rate);
    console.log(
      `pgd40  sharded ${sharded.rate.toFixed(1).padStart(8)} images/s  (batch ${PGD_BATCH} in chunks of 64, ${sharded.threads} threads; load ${load()})`,
    );
  }
}
const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;
const ours = (what) =>
  what === 'train'
    ? [['DDAR training, bare loop', rows.ours], ['DDAR training, train() 1 thread', rows.train1t], [`DDAR training, train() ${SPARE_CORES + 1} threads`, rows.trainDp]]
    : [['PGD-40 on classify, 1 thread', rows.oursPgd], [`PGD-40 on classify, sharded over ${SPARE_CORES + 1} threads`, rows.shardedPgd]];
const printRatios = (torchLabel, what, torchRate) => {
  for (const [label, rates] of ours(what)) {
    if (rates.length > 0) console.log(`ours / ${torchLabel}, ${label}: ${(mean(rates) / torchRate).toFixed(3)}`);
  }
};
for (const what of ['train', 'pgd']) {
  const keys = [...torchRows.keys()].filter((key) => key.startsWith(`${what} `));
  for (const key of keys) printRatios(`pytorch-${key.split(' ')[1]}`, what, mean(torchRows.get(key)));
  if (keys.length > 1) {
    const best = keys.reduce((a, b) => (mean(torchRows.get(b)) > mean(torchRows.get(a)) ? b : a));
    printRatios(`best pytorch (pytorch-${best.split(' ')[1]})`, what, mean(torchRows.get(best)));
  }
}
console.log(`load average after: ${load()}`);
if (CEILINGS) {
  const ceilings = await measureCeilings({ withPytorch });
  printCeilings(ceilings);
  for (const [label, rates] of ours('train')) {
    if (rates.length > 0) printAchieved(label, mean(rates), FLOPS, ceilings);
  }
  for (const [key, rates] of torchRows) {
    if (key.startsWith('train ')) printAchieved(`DDAR training, pytorch-${key.split(' ')[1]}`, mean(rates), FLOPS, ceilings);
  }
}
