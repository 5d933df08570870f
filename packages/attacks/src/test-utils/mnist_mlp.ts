import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { loadMnist } from '@ddar/datasets';
import { asModel, type Model } from '../model.js';
import { useTestBackend } from './backend.js';

export interface MnistFixture {
  model: tfl.LayersModel;
  images: tf.Tensor4D;
  labels: tf.Tensor1D;
  dispose(): void;
}

const TRAIN_SIZE = 10000;
const EPOCHS = 5;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `train` (which writes `cache`) unless the cache exists, in at most one jest worker at a time:
 * parallel workers wait on a lock file instead of all training the same model on two shared cores.
 */
async function trainOnce(cache: string, train: () => Promise<void>): Promise<void> {
  const lock = `${cache}.lock`;
  for (;;) {
    if (fs.existsSync(cache)) return;
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch {
      try {
        // A worker killed mid-training leaves its lock behind.
        if (Date.now() - fs.statSync(lock).mtimeMs > 180_000) fs.rmSync(lock, { force: true });
      } catch {
        // The lock vanished between the two calls: loop and look again.
      }
      await sleep(250);
    }
  }
  try {
    if (!fs.existsSync(cache)) await train();
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

function buildMlp(seed: number): tfl.LayersModel {
  const model = tfl.sequential();
  model.add(tfl.layers.flatten({ inputShape: [28, 28, 1] }));
  model.add(tfl.layers.dense({ units: 128, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed }) }));
  model.add(tfl.layers.dense({ units: 10, kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }) }));
  return model;
}

/**
 * A small MLP trained on the first 10000 MNIST training images (~95% test accuracy), plus the first
 * `testSize` test images. Trained weights are cached in the OS temp dir so that test files (and
 * parallel jest workers) train it once; the cache is keyed by the seed and training setup.
 */
export async function mnistMlp(testSize: number, seed = 1): Promise<MnistFixture> {
  const model = buildMlp(seed);
  const cache = path.join(os.tmpdir(), `ddar-attacks-mnist-mlp-${seed}-${TRAIN_SIZE}-${EPOCHS}-v1.json`);
  await trainOnce(cache, async () => {
    const train = await loadMnist({ split: 'train', limit: TRAIN_SIZE });
    const y = tf.oneHot(train.labels, 10);
    model.compile({
      optimizer: tf.train.adam(0.003),
      loss: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.losses.softmaxCrossEntropy(yTrue, yPred),
    });
    await model.fit(train.images, y, { epochs: EPOCHS, batchSize: 64, shuffle: false, verbose: 0 });
    y.dispose();
    train.dispose();
    const values = model.getWeights().map((w) => ({ shape: w.shape, data: Array.from(w.dataSync()) }));
    const tmp = `${cache}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(values));
    fs.renameSync(tmp, cache);
  });
  const values = JSON.parse(fs.readFileSync(cache, 'utf8')) as { shape: number[]; data: number[] }[];
  const weights = values.map((v) => tf.tensor(v.data, v.shape));
  model.setWeights(weights);
  tf.dispose(weights);
  const test = await loadMnist({ split: 'test', limit: testSize });
  return {
    model,
    images: test.images,
    labels: test.labels,
    dispose() {
      test.dispose();
      model.dispose();
    },
  };
}

/** What the attack suites share: the test backend, the trained MLP wrapped as a Model, and its test batch. */
export interface MnistAttackSetup {
  mnist: MnistFixture;
  model: Model;
  x: tf.Tensor4D;
  y: tf.Tensor1D;
}

/** Sets up the test backend and the MNIST MLP with `testSize` test images, wrapped for attacks (bounds [0, 1]). */
export async function setUpMnistAttack(testSize: number): Promise<MnistAttackSetup> {
  await useTestBackend();
  const mnist = await mnistMlp(testSize);
  return { mnist, model: asModel(mnist.model), x: mnist.images, y: mnist.labels };
}
