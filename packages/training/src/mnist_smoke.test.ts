import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@ddar/backend';
import { loadMnist, type Dataset } from '@ddar/datasets';
import { DDARModel } from '@ddar/disentangle';
import { train } from './train_node.js';

// The real pipeline end to end — MNIST, the built-in small CNN (convolution gradients), the warp — on the backend
// initBackend picks. Kept to a few steps: learning itself is covered by the fast tests with dense backbones.
describe('train on MNIST', () => {
  let trainSet: Dataset;
  let test: Dataset;
  beforeAll(async () => {
    await initBackend({ log: false });
    trainSet = await loadMnist({ split: 'train', limit: 96 });
    test = await loadMnist({ split: 'test', limit: 64 });
  });
  afterAll(() => {
    trainSet.dispose();
    test.dispose();
  });

  it('runs DDAR with the small CNN and its warp through a full epoch, adversarially, without leaking', async () => {
    const model = DDARModel.create({ backboneName: 'smallCnn', inputShape: [28, 28, 1], numClasses: 10, seed: 1 });
    const initial = model.trainableWeights.map((w) => w.dataSync().slice());
    const before = tf.memory().numTensors;
    const history = await train(model, { train: trainSet, validation: test }, {
      epochs: 1,
      batchSize: 32,
      optimizer: { name: 'adam', learningRate: 0.002 },
      adversarial: { method: 'fgsm-rs', epsilon: 0.1, reconstructionInput: 'adversarial' },
      log: false,
    });
    expect(tf.memory().numTensors).toBe(before);
    const [epoch] = history.epochs;
    expect(Object.keys(epoch.losses).sort()).toEqual(['biasReduction', 'classification', 'magnitude', 'reconstruction', 'smoothness', 'total']);
    expect(Object.values(epoch.losses).every(Number.isFinite)).toBe(true);
    expect(epoch.validationAccuracy).toEqual(expect.any(Number));
    const moved = model.trainableWeights.filter((w, i) => w.dataSync().some((v, j) => v !== initial[i][j]));
    expect(moved.length).toBe(model.trainableWeights.length);
    model.dispose();
  });
});
