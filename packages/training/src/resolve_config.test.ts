import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@ddar/backend';
import { createDataset, type Dataset } from '@ddar/datasets';
import type { TrainingConfig } from './config.js';
import { resolveTrainingConfig } from './resolve_config.js';
import { train } from './train_node.js';
import { syntheticDataset } from './test-utils/synthetic_dataset.js';
import { TinyClassifier } from './test-utils/tiny_classifier.js';

describe('resolveTrainingConfig', () => {
  let data: Dataset;
  let model: TinyClassifier;
  const valid: TrainingConfig = { epochs: 2, batchSize: 8, optimizer: { name: 'adam', learningRate: 0.001 } };
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', log: false });
    data = syntheticDataset('toy/train', 32, 1);
    model = new TinyClassifier({ inputShape: [8, 8, 1], numClasses: 4, seed: 1 });
  });
  afterAll(() => {
    data.dispose();
    model.dispose();
  });

  it('fills in every default', () => {
    expect(resolveTrainingConfig(model, { train: data }, valid)).toEqual({
      epochs: 2,
      batchSize: 8,
      optimizer: { name: 'adam', learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
      schedule: { kind: 'constant' },
      lossWeights: {},
      seed: 0,
      adversarial: null,
      modelKind: 'tiny',
      trainData: { name: 'toy/train', size: 32, imageShape: [8, 8, 1], numClasses: 4 },
    });
    const adversarial = resolveTrainingConfig(model, { train: data }, { ...valid, adversarial: { method: 'pgd', epsilon: 0.3 } }).adversarial;
    // The step size stays unset: the attack applies its own default (2.5 epsilon / steps for PGD, see @ddar/attacks).
    expect(adversarial).toStrictEqual({ method: 'pgd', epsilon: 0.3, steps: 10, reconstructionInput: 'clean', bounds: [0, 1] });
    const fast = resolveTrainingConfig(model, { train: data }, { ...valid, adversarial: { method: 'fgsm-rs', epsilon: 0.2 } }).adversarial;
    expect(fast).toStrictEqual({ method: 'fgsm-rs', epsilon: 0.2, steps: 1, reconstructionInput: 'clean', bounds: [0, 1] });
    const given = resolveTrainingConfig(model, { train: data }, { ...valid, adversarial: { method: 'pgd', epsilon: 0.3, stepSize: 0.01 } }).adversarial;
    expect(given).toMatchObject({ stepSize: 0.01 });
  });

  it.each<[string, Partial<TrainingConfig>, string]>([
    ['batch size 0', { batchSize: 0 }, 'train: config.batchSize must be an integer in [1, 32], but got 0'],
    ['null loss weights (not a form of "none")', { lossWeights: null as never }, 'Error in train: config.lossWeights must be an object, but got null'],
    ['a misspelt loss weight', { lossWeights: { reconstrution: 1 } as never }, 'Error in train: config.lossWeights.reconstrution is not a loss weight or option'],
    ['a negative loss weight', { lossWeights: { biasReduction: -1 } }, 'Error in train: config.lossWeights.biasReduction must be a finite number >= 0, but got -1'],
    ['batch size above the dataset size', { batchSize: 33 }, 'train: config.batchSize must be an integer in [1, 32], but got 33'],
    ['fractional batch size', { batchSize: 2.5 }, 'config.batchSize must be an integer in [1, 32], but got 2.5'],
    ['zero epochs', { epochs: 0 }, 'train: config.epochs must be an integer >= 1, but got 0'],
    ['unknown optimizer', { optimizer: { name: 'rmsprop', learningRate: 0.1 } as never }, "config.optimizer.name must be one of 'adam', 'sgd', but got 'rmsprop'"],
    ['zero learning rate', { optimizer: { name: 'sgd', learningRate: 0 } }, 'config.optimizer.learningRate must be a finite number in (0, Infinity), but got 0'],
    ['negative learning rate', { optimizer: { name: 'adam', learningRate: -1 } }, 'config.optimizer.learningRate must be a finite number in (0, Infinity), but got -1'],
    ['NaN learning rate', { optimizer: { name: 'adam', learningRate: NaN } }, 'but got NaN'],
    ['momentum above 1', { optimizer: { name: 'sgd', learningRate: 0.1, momentum: 1.5 } }, 'config.optimizer.momentum must be a finite number in [0, 1], but got 1.5'],
    ['nesterov without momentum', { optimizer: { name: 'sgd', learningRate: 0.1, nesterov: true } }, 'config.optimizer.momentum must be > 0 when optimizer.nesterov is true, but got 0'],
    ['unknown schedule', { schedule: { kind: 'linear' } as never }, "config.schedule.kind must be one of 'constant', 'step', 'cosine', but got 'linear'"],
    ['step schedule without gamma', { schedule: { kind: 'step', everyEpochs: 2 } as never }, 'config.schedule.gamma must be a finite number in (0, 1], but got undefined'],
    ['cosine floor above the rate', { schedule: { kind: 'cosine', minLearningRate: 0.01 } }, 'config.schedule.minLearningRate must be a finite number in [0, 0.001], but got 0.01'],
    ['unknown attack', { adversarial: { method: 'cw', epsilon: 0.1 } as never }, "config.adversarial.method must be one of 'pgd', 'fgsm-rs', but got 'cw'"],
    ['zero epsilon', { adversarial: { method: 'pgd', epsilon: 0 } }, 'config.adversarial.epsilon must be a finite number in (0, Infinity), but got 0'],
    ['multi-step FGSM', { adversarial: { method: 'fgsm-rs', epsilon: 0.1, steps: 3 } }, "config.adversarial.steps must be 1 (or absent) for method 'fgsm-rs', but got 3"],
    ['unknown reconstruction input', { adversarial: { method: 'pgd', epsilon: 0.1, reconstructionInput: 'both' as never } }, "config.adversarial.reconstructionInput must be one of 'clean', 'adversarial', but got 'both'"],
    ['inverted bounds', { adversarial: { method: 'pgd', epsilon: 0.1, bounds: [1, 0] } }, 'config.adversarial.bounds must be a pair [low, high] of finite numbers with low < high, but got [1,0]'],
    ['negative seed', { seed: -1 }, 'config.seed must be an integer in [0, 2^32), but got -1'],
    ['resume without a checkpoint', { resume: true }, 'config.checkpoint must be set when resume is true'],
    ['checkpoint every 0 steps', { checkpoint: { directory: '/tmp/x', everySteps: 0 } }, 'config.checkpoint.everySteps must be an integer >= 1, but got 0'],
    ['unknown progress style', { progress: 'fancy' as never }, "config.progress must be one of 'auto', 'bar', 'lines', 'none', but got 'fancy'"],
  ])('rejects %s, naming the field and the value', (_, change, message) => {
    expect(() => resolveTrainingConfig(model, { train: data }, { ...valid, ...change })).toThrow(message);
  });

  it('rejects a model whose number of classes does not match the labels', async () => {
    const threeClasses = new TinyClassifier({ inputShape: [8, 8, 1], numClasses: 3, seed: 1 });
    await expect(train(threeClasses, { train: data }, valid)).rejects.toThrow(
      'train: the model outputs 3 classes but data.train (toy/train) has numClasses 4',
    );
    threeClasses.dispose();
  });

  it('rejects labels outside [0, numClasses) and validation data of another shape', () => {
    const images = tf.zeros([4, 8, 8, 1]) as tf.Tensor4D;
    const badLabels = createDataset('bad', images, tf.tensor1d([0, 1, 5, 2], 'int32'), ['a', 'b', 'c', 'd']);
    expect(() => resolveTrainingConfig(model, { train: badLabels }, { ...valid, batchSize: 2 })).toThrow(
      'train: data.train.labels[2] is 5, outside [0, 4) although data.train.numClasses is 4',
    );
    const wide = createDataset('wide', tf.zeros([4, 8, 9, 1]) as tf.Tensor4D, tf.tensor1d([0, 1, 2, 3], 'int32'), ['a', 'b', 'c', 'd']);
    expect(() => resolveTrainingConfig(model, { train: data, validation: wide }, valid)).toThrow(
      'train: data.validation images are [8,9,1] but data.train images are [8,8,1]',
    );
    expect(() => resolveTrainingConfig(model, { train: wide }, { ...valid, batchSize: 2 })).toThrow(
      /train: model.classify fails on data.train images of shape \[8,9,1\]/,
    );
    badLabels.dispose();
    wide.dispose();
  });
});
