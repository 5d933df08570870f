// Bring your own backbone: register a small strided CNN, build DDAR and the baseline on it, train both on MNIST with
// the same budget, and print their clean and rotated-test accuracy.
//
//   pnpm build && node docs/scripts/run-ts.mjs examples/custom-backbone/main.ts [--train 6000] [--epochs 1]
//
// DDAR_EXAMPLE_TINY=1 shrinks everything to a few seconds (the docs test runs it that way).
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '@ddar/backend';
import {
  assertInputMatches, registerBackbone, resolveBackboneOptions, scaledChannels, type Backbone, type BackboneOptions,
} from '@ddar/backbones';
import { loadMnist, rotated } from '@ddar/datasets';
import { BaselineModel, DDARModel, type ClassifierModel } from '@ddar/disentangle';
import { evaluateAccuracy, train, type TrainingConfig } from '@ddar/training';

const tiny = process.env.DDAR_EXAMPLE_TINY === '1';
function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const trainImages = option('train', tiny ? 128 : 6000);
const testImages = option('test', tiny ? 64 : 1000);
const epochs = option('epochs', 1);

/** Two strided 3x3 convolutions with batch norm, global average pooling, a dense embedding. */
function stridedNet(options: BackboneOptions): Backbone {
  const resolved = resolveBackboneOptions('stridedNet', options, (width) => scaledChannels(64, width));
  const { inputShape, width, embeddingSize, namePrefix, seed } = resolved;
  const init = (offset: number) => tfl.initializers.heNormal({ seed: seed === undefined ? undefined : seed + offset });
  const layers = [
    tfl.layers.conv2d({ name: `${namePrefix}_conv1`, filters: scaledChannels(32, width), kernelSize: 3, strides: 2, padding: 'same', kernelInitializer: init(1) }),
    tfl.layers.batchNormalization({ name: `${namePrefix}_bn1` }),
    tfl.layers.activation({ name: `${namePrefix}_relu1`, activation: 'relu' }),
    tfl.layers.conv2d({ name: `${namePrefix}_conv2`, filters: scaledChannels(64, width), kernelSize: 3, strides: 2, padding: 'same', kernelInitializer: init(2) }),
    tfl.layers.batchNormalization({ name: `${namePrefix}_bn2` }),
    tfl.layers.activation({ name: `${namePrefix}_relu2`, activation: 'relu' }),
    tfl.layers.flatten({ name: `${namePrefix}_flatten` }),
    tfl.layers.dense({ name: `${namePrefix}_embedding`, units: embeddingSize, activation: 'relu', kernelInitializer: init(3) }),
  ];
  return {
    name: 'stridedNet',
    options: resolved,
    embeddingSize,
    apply(input) {
      assertInputMatches('stridedNet', input, inputShape);
      return layers.reduce((x, layer) => layer.apply(x) as tfl.SymbolicTensor, input);
    },
  };
}

await initBackend();
registerBackbone('stridedNet', stridedNet);

const trainSet = await loadMnist({ split: 'train', limit: trainImages });
const testSet = await loadMnist({ split: 'test', limit: testImages });
const rotatedTest = rotated(testSet, { degrees: 30 });

const common = {
  backboneName: 'stridedNet',
  backboneOptions: { width: tiny ? 0.25 : 0.5 },
  inputShape: [28, 28, 1] as [number, number, number],
  numClasses: 10,
  seed: 1,
};
const config: TrainingConfig = {
  epochs,
  batchSize: 64,
  seed: 1,
  optimizer: { name: 'adam', learningRate: 2e-3 },
  lossWeights: { reconstruction: 10, smoothness: 1 }, // DDAR's lambdaRec, lambdaSmooth; the baseline ignores them
  progress: tiny ? 'none' : 'auto',
  log: !tiny,
};

const models: Array<[string, ClassifierModel]> = [
  ['baseline', BaselineModel.create(common)],
  ['ddar', DDARModel.create(common)],
];
console.log(`training on ${trainSet.size} MNIST images for ${epochs} epoch(s), testing on ${testSet.size}`);
for (const [name, model] of models) {
  const history = await train(model, { train: trainSet }, config);
  const clean = evaluateAccuracy(model, testSet);
  const turned = evaluateAccuracy(model, rotatedTest);
  const seconds = history.epochs.reduce((s, e) => s + e.seconds, 0);
  console.log(
    `${name.padEnd(9)} accuracy ${(100 * clean).toFixed(1)}%   rotated 30°: ${(100 * turned).toFixed(1)}%   ` +
      `(${seconds.toFixed(1)} s of training)`,
  );
  model.dispose();
}
[trainSet, testSet, rotatedTest].forEach((d) => d.dispose());
