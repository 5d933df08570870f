// Throughput of @ddar/training's train(), on one thread or data-parallel over worker threads, for the benchmarks
// (bench/throughput.mjs: the reference model; bench/ddar_throughput.mjs: the MNIST DDAR model with its default
// geometry, 'integral', and default loss, the model bench/pytorch_reference.py ports).
// train() does more per batch than the benchmarks' bare optimizer.minimize loops and PyTorch's: it gathers each
// batch from the dataset and counts training accuracy (from the logits of the loss's forward pass, which the models
// return when asked: `returnLogits`), and it reports progress, so its rate is a conservative figure for a comparison
// with PyTorch.
import * as tf from '@tensorflow/tfjs-core';
import { performance } from 'node:perf_hooks';
import { createDataset } from '@ddar/datasets';
import { train } from '@ddar/training';

/** `images` random 28x28x1 images with labels in [0, 10), seeded. */
export function randomDataset(images) {
  return createDataset(
    'random',
    tf.randomUniform([images, 28, 28, 1], 0, 1, 'float32', 11),
    tf.randomUniform([images], 0, 10, 'int32', 12),
    Array.from({ length: 10 }, (_, k) => String(k)),
  );
}

/**
 * Trains a fresh `createModel()` on `dataset` for `epochs` with Adam 1e-3 and returns images/s over every step but
 * the first (warm-up: kernel setup, and the workers' first step), with the seconds per step and the last loss.
 */
export async function trainApiThroughput({ createModel, dataset, batchSize, epochs, workers, replica }) {
  const model = createModel();
  const stepEnds = [];
  let lastLoss = NaN;
  const history = await train(model, { train: dataset }, {
    epochs,
    batchSize,
    optimizer: { name: 'adam', learningRate: 1e-3 },
    log: false,
    dataParallel: { workers, replica },
    onProgress: (event) => {
      if (event.type !== 'step') return;
      stepEnds.push(performance.now());
      lastLoss = event.losses.total;
    },
  });
  model.dispose?.();
  const seconds = (stepEnds[stepEnds.length - 1] - stepEnds[0]) / 1000;
  const steps = stepEnds.length - 1;
  return { rate: (steps * batchSize) / seconds, perStep: seconds / steps, steps, lastLoss, threads: history.threads };
}
