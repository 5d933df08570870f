// Train and save an ordinary tfjs-layers CNN, load it back from disk as you would load anyone's model, attack it
// with @ddar/attacks, and check the evaluation for gradient masking.
//
//   pnpm build && node docs/scripts/run-ts.mjs examples/attack-saved-model/main.ts [--model ./my-model] [--test 500]
//
// With --model pointing at a directory that already holds model.json (a tfjs LayersModel taking 28x28x1 images in
// [0, 1] and returning logits), training is skipped and that model is attacked.
// DDAR_EXAMPLE_TINY=1 shrinks everything to a few seconds (the docs test runs it that way).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend, loadModel, saveModel } from '@ddar/backend';
import { loadMnist } from '@ddar/datasets';
import {
  APGD, CarliniWagnerL2, FGSM, PGD, asModel, gradientMaskingReport, robustAccuracy,
} from '@ddar/attacks';

const tiny = process.env.DDAR_EXAMPLE_TINY === '1';
function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const testImages = Number(option('test') ?? (tiny ? 32 : 200));
const pgdSteps = tiny ? 5 : 20;
const pct = (v: number) => `${(100 * v).toFixed(1)}%`;

await initBackend();
let modelDir = option('model');
let temporary = false;

if (modelDir === undefined || !fs.existsSync(path.join(modelDir, 'model.json'))) {
  modelDir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'ddar-example-model-'));
  temporary = option('model') === undefined;
  const trainSet = await loadMnist({ split: 'train', limit: tiny ? 256 : 10000 });
  const net = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 16, kernelSize: 5, strides: 2, padding: 'same', activation: 'relu' }),
      tfl.layers.conv2d({ filters: 32, kernelSize: 5, strides: 2, padding: 'same', activation: 'relu' }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 64, activation: 'relu' }),
      tfl.layers.dense({ units: 10 }), // logits: attacks need them (or wrap with { output: 'probabilities' })
    ],
  });
  net.compile({
    optimizer: tf.train.adam(2e-3),
    loss: (y: tf.Tensor, logits: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, logits),
  });
  const oneHot = tf.oneHot(trainSet.labels as tf.Tensor1D, 10);
  console.log(`training a small CNN on ${trainSet.size} MNIST images`);
  await net.fit(trainSet.images, oneHot, { epochs: tiny ? 1 : 2, batchSize: 64, verbose: 0, shuffle: true });
  await saveModel(net, modelDir);
  console.log(`saved to ${modelDir}`);
  tf.dispose([oneHot, trainSet.images, trainSet.labels]);
  net.dispose();
}

// Load from disk: saveModel/loadModel of @ddar/backend, or tfl.loadLayersModel(`file://${dir}/model.json`).
const loaded = await loadModel(modelDir);
const model = asModel(loaded, { bounds: [0, 1] });
const test = await loadMnist({ split: 'test', limit: testImages });
const epsilons = [0.05, 0.1, 0.2, 0.3];

console.log(`attacking ${test.size} test images (PGD and APGD: ${pgdSteps} steps)`);
const report = await robustAccuracy(
  model,
  test,
  [
    new FGSM(),
    new PGD({ steps: pgdSteps, relStepSize: 2.5 / pgdSteps, seed: 1 }),
    new APGD({ steps: pgdSteps, seed: 1 }),
    // CW's defaults (9 x 1000 Adam steps of 0.01 from c = 1e-3) are the paper's; with a small budget, take larger steps
    // and start the search at a larger c, or CW finds few adversarials.
    {
      attack: new CarliniWagnerL2({ binarySearchSteps: tiny ? 2 : 4, steps: tiny ? 10 : 100, stepSize: 0.05, initialConst: 1 }),
      epsilons: [1, 2, 3],
      name: 'CW-L2',
    },
  ],
  epsilons,
  { batchSize: 100 },
);
console.log(`clean accuracy ${pct(report.cleanAccuracy)}`);
for (const attack of report.attacks) {
  console.log(`  ${attack.name.padEnd(8)} ${attack.epsilons.map((e, i) => `eps ${e}: ${pct(attack.robustAccuracy[i])}`).join('  ')}`);
}
if (report.worstCase !== null) {
  console.log(`  ${'worst'.padEnd(8)} ${report.worstCase.epsilons.map((e, i) => `eps ${e}: ${pct(report.worstCase!.robustAccuracy[i])}`).join('  ')}`);
}

const masking = await gradientMaskingReport(model, test, {
  epsilon: 0.1, pgdSteps, squareQueries: tiny ? 20 : 300, seed: 1, batchSize: 100,
});
console.log(`gradient-masking checks: ${masking.passed ? 'all passed' : `${masking.flags.length} failed`}`);
for (const check of masking.checks) console.log(`  ${check.passed ? 'pass' : 'FAIL'} ${check.message}`);

loaded.dispose();
test.dispose();
if (temporary) fs.rmSync(modelDir, { recursive: true, force: true });
