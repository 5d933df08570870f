// The page's program, bundled for the browser by browser_check.test.ts: what a user's web application does with the
// packages' browser builds. It trains a tiny DDAR model on synthetic images, attacks it with PGD, saves it to IndexedDB
// and loads it back, and hands the numbers to the test, which judges them.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
// The GPU backend a user would add; initBackend takes it when this browser can run it.
import '@tensorflow/tfjs-backend-webgl';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { initBackend, saveModel, type BackendName } from '@ddar/backend';
import { createDataset, type Dataset } from '@ddar/datasets';
import { DDARModel, loadClassifierModel } from '@ddar/disentangle';
import { PGD, disposeResults } from '@ddar/attacks';
import { SeededRandom } from '@ddar/random';
import { evaluateAccuracy, shardedRobustAccuracy, train } from '@ddar/training';
import type { BrowserCheckOptions, BrowserCheckResult } from './result.js';

const SIDE = 16;
const CLASSES = 4;
const MODEL_URL = 'indexeddb://ddar-browser-check';

/** Class c is a bright square in the c-th quadrant on a noisy background, so a few steps learn it. */
function syntheticImages(name: string, count: number, seed: number): Dataset {
  const random = new SeededRandom(seed);
  const pixels = new Float32Array(count * SIDE * SIDE);
  const labels = new Int32Array(count);
  const half = SIDE / 2;
  for (let n = 0; n < count; n++) {
    const label = n % CLASSES;
    labels[n] = label;
    const top = (label >> 1) * half + 1 + Math.floor(random.next() * 2);
    const left = (label & 1) * half + 1 + Math.floor(random.next() * 2);
    for (let y = 0; y < SIDE; y++) {
      for (let x = 0; x < SIDE; x++) {
        const inside = y >= top && y < top + half - 3 && x >= left && x < left + half - 3;
        pixels[(n * SIDE + y) * SIDE + x] = inside ? 0.7 + 0.3 * random.next() : 0.3 * random.next();
      }
    }
  }
  const images = tf.tensor4d(pixels, [count, SIDE, SIDE, 1]);
  const names = Array.from({ length: CLASSES }, (_, c) => `quadrant ${c}`);
  return createDataset(name, images, tf.tensor1d(labels, 'int32'), names);
}

async function messageOf(action: () => Promise<unknown>): Promise<string> {
  try {
    await action();
    return 'no error';
  } catch (error) {
    return (error as Error).message;
  }
}

async function run(options: BrowserCheckOptions): Promise<BrowserCheckResult> {
  // The wasm backend fetches its .wasm files from here; the page serves them (a bundler does not copy them).
  setWasmPaths(new URL('wasm/', location.href).href);
  const clock = performance.now();
  const lap = (): number => (performance.now() - clock) / 1000;
  const info = await initBackend({ backend: options.backend as BackendName | 'auto', log: false });
  const trainSet = syntheticImages('quadrants/train', 48, 1);
  const testSet = syntheticImages('quadrants/test', 48, 2);
  const model = DDARModel.create({
    inputShape: [SIDE, SIDE, 1],
    numClasses: CLASSES,
    backboneName: 'smallCnn',
    backboneOptions: { width: 0.25 },
    decoderWidth: 8,
    seed: 1,
  });
  const initialized = lap();
  const history = await train(model, { train: trainSet }, {
    epochs: options.epochs,
    batchSize: 16,
    optimizer: { name: 'adam', learningRate: 3e-3 },
    log: false,
  });

  const trained = lap();
  const cleanAccuracy = evaluateAccuracy(model, testSet);
  const pgd = new PGD({ steps: 5, seed: 1 });
  const [attacked] = await pgd.run((x) => model.classify(x), testSet.images, testSet.labels, { epsilons: [0.15] });
  const robustAccuracy = attacked.robustAccuracy;
  disposeResults([attacked]);

  const attackedAt = lap();
  await model.save(MODEL_URL);
  const stored = Object.keys(await tf.io.listModels());
  const reloaded = await loadClassifierModel(MODEL_URL);
  const [before, after] = [model.classify(testSet.images), reloaded.classify(testSet.images)];
  const original = Array.from(before.dataSync());
  const again = Array.from(after.dataSync());
  tf.dispose([before, after]);
  await tf.io.removeModel(MODEL_URL);
  const seconds = { initBackend: initialized, train: trained - initialized, attack: attackedAt - trained, saveAndLoad: lap() - attackedAt };

  const errors = {
    saveModel: await messageOf(() => saveModel(model, './model')),
    dataParallel: await messageOf(() =>
      train(model, { train: trainSet }, { epochs: 1, batchSize: 32, optimizer: { name: 'adam', learningRate: 1e-3 }, log: false, dataParallel: { workers: 1 } }),
    ),
    shardedAttack: await messageOf(() =>
      shardedRobustAccuracy(model, testSet.images, testSet.labels, { attack: 'pgd', options: { steps: 1 } }, { epsilons: [0.1] }),
    ),
  };
  model.dispose();
  reloaded.dispose();
  trainSet.dispose();
  testSet.dispose();
  return {
    backend: info.name,
    reason: info.reason,
    webglVersion: tf.env().getNumber('WEBGL_VERSION'),
    losses: history.epochs.map((epoch) => epoch.losses.total),
    steps: history.globalStep,
    cleanAccuracy,
    robustAccuracy,
    stored,
    original,
    reloaded: again,
    errors,
    tensorsLeft: tf.memory().numTensors,
    seconds,
  };
}

/** What initBackend says when wasm is asked for and its .wasm files are not where setWasmPaths points. */
async function wasmNotServed(): Promise<string> {
  setWasmPaths(new URL('not-served/', location.href).href);
  return messageOf(() => initBackend({ backend: 'wasm', log: false }));
}

Object.assign(window, { ddarBrowserCheck: run, ddarWasmNotServed: wasmNotServed });
