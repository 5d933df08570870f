// PGD-40 on the MNIST DDAR model's classify path: images/s on one thread, and sharded over the main thread and
// worker threads with @ddar/training's ShardedAttackPool. Both runs attack the same fixed chunks with the same seeds,
// so they must agree image for image; the script checks it and says so.
//
//   node bench/sharded_pgd.mjs [--images 256] [--steps 40] [--chunk 64] [--workers 1]
//
// One short run (about a minute at the defaults on one free core each); it prints the CPU and the load average
// (`uptime`) before and after, since other work on the machine shares the cores.
/* global console */
import process from 'node:process';
import { performance } from 'node:perf_hooks';
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { initBackend } from '@ddar/backend';
import { PGD } from '@ddar/attacks';
import { DDARModel } from '@ddar/disentangle';
import { ShardedAttackPool } from '@ddar/training';

const SCRIPT = 'sharded_pgd';

function option(name, fallback, minimum) {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value < minimum) {
    throw new Error(`${SCRIPT}: --${name} must be an integer >= ${minimum}, but got '${process.argv[at + 1]}'`);
  }
  return value;
}

function load() {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return `load average: ${loadavg().map((v) => v.toFixed(2)).join(', ')}`;
  }
}

const images = option('images', 256, 1);
const steps = option('steps', 40, 1);
const chunkSize = option('chunk', 64, 1);
const workers = option('workers', 1, 1);
const epsilon = 0.3;

const backend = await initBackend({ log: false });
console.log(`${SCRIPT}: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, backend ${backend.name}`);
console.log(`load before: ${load()}`);

const model = DDARModel.create({ inputShape: [28, 28, 1], numClasses: 10, backboneOptions: { width: 0.5 }, seed: 1 });
const x = tf.randomUniform([images, 28, 28, 1], 0, 1, 'float32', 11);
// The model's own predictions as labels, so that every image is an attack to make.
const labels = tf.tidy(() => tf.argMax(model.classify(x), 1)).dataSync();
const attack = { attack: 'pgd', options: { norm: 'linf', steps, seed: 1 } };
const call = { epsilons: [epsilon], chunkSize };
console.log(`PGD-${steps} L-inf eps ${epsilon} (default step 2.5 eps / steps, random start) on ${images} random images, chunks of ${chunkSize}`);

function describe(label, result) {
  const rate = result.examples / result.timing.seconds;
  console.log(
    `${label}: ${rate.toFixed(1)} images/s (${result.timing.seconds.toFixed(2)} s, ${result.threads} thread${result.threads > 1 ? 's' : ''}), ` +
      `robust accuracy ${(100 * result.results[0].robustAccuracy).toFixed(1)}%`,
  );
  for (const t of result.timing.threads) {
    const later = t.chunks > 1 ? (t.seconds - t.firstChunkSeconds) / (t.chunks - 1) : NaN;
    console.log(
      `  thread ${t.thread}: ${t.chunks} chunks in ${t.seconds.toFixed(2)} s; first chunk ${t.firstChunkSeconds?.toFixed(2) ?? '-'} s, ` +
        `later ones ${Number.isNaN(later) ? '-' : later.toFixed(2)} s each`,
    );
  }
  return rate;
}

// Today's one-thread path for reference: @ddar/attacks' PGD on the whole batch at once (its random starts differ from
// the chunked runs', so its adversarials do too). Warmed up by the same one-step attack first.
const classify = (images) => model.classify(images);
await new PGD({ steps: 1 }).run(classify, tf.slice(x, 0, chunkSize), labels.slice(0, chunkSize), call).then((r) => r.forEach((e) => tf.dispose([e.raw, e.clipped])));
const plainStart = performance.now();
const [plain] = await new PGD({ steps, seed: 1 }).run(classify, x, labels, call);
const plainSeconds = (performance.now() - plainStart) / 1000;
tf.dispose([plain.raw, plain.clipped]);
console.log(
  `@ddar/attacks PGD, whole batch: ${(images / plainSeconds).toFixed(1)} images/s (${plainSeconds.toFixed(2)} s, 1 thread), ` +
    `robust accuracy ${(100 * plain.robustAccuracy).toFixed(1)}%`,
);

// One thread. The main thread's kernels are set up by a one-step attack on one chunk first, so that its timed run,
// like the workers' later ones, is warm.
const single = await ShardedAttackPool.start(model, { workers: 0 });
await single.attack(tf.slice(x, 0, chunkSize), labels.slice(0, chunkSize), { attack: 'pgd', options: { steps: 1 } }, call);
const one = await single.attack(x, labels, attack, { ...call, adversarials: true });
await single.dispose();
const oneRate = describe('1 thread ', one);

// The main thread and `workers` workers. The timed call is the pool's first: each worker's first chunk includes its
// kernel setup (XNNPACK operators are created on first use), reported as the warm-up below.
const pool = await ShardedAttackPool.start(model, { workers });
const startup = pool.startup;
const many = await pool.attack(x, labels, attack, { ...call, adversarials: true });
await pool.dispose();
const manyRate = describe(`${workers + 1} threads`, many);
console.log(
  `  workers started in ${startup.seconds.toFixed(2)} s (backend and model: ${startup.workers.map((s) => s.toFixed(2)).join(', ')} s once their code was loaded)`,
);
for (const t of many.timing.threads.slice(1)) {
  if (t.chunks > 1) {
    const warmUp = t.firstChunkSeconds - (t.seconds - t.firstChunkSeconds) / (t.chunks - 1);
    console.log(`  warm-up of worker ${t.thread}: its first chunk took ${warmUp.toFixed(2)} s longer than its later ones`);
  }
}
console.log(`speed-up: ${(manyRate / oneRate).toFixed(2)}x`);

// The same chunks with the same seeds: identical results, whichever thread attacked which chunk.
const difference = tf.tidy(() => tf.max(tf.abs(tf.sub(one.results[0].adversarials, many.results[0].adversarials))).dataSync()[0]);
const sameFlags = one.results[0].success.every((flag, i) => flag === many.results[0].success[i]);
console.log(`identical to the one-thread run: success flags ${sameFlags ? 'equal' : 'DIFFER'}, adversarials differ by at most ${difference}`);
console.log(`load after: ${load()}`);
for (const result of [one, many]) result.results[0].adversarials.dispose();
x.dispose();
model.dispose();
if (!sameFlags || difference > 1e-5) process.exitCode = 1;
