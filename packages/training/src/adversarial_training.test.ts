import * as tf from '@tensorflow/tfjs-core';
import { pgdAdversarial } from '@ddar/attacks';
import { initBackend } from '@ddar/backend';
import type { Dataset } from '@ddar/datasets';
import type { AdversarialConfig } from './config.js';
import { assertHonoursReconstructionTarget } from './reconstruction_target_check.js';
import { train } from './train_node.js';
import type { LossTerms, LossTermsOptions, LossWeights } from './trainable_model.js';
import { smallModels } from './test-utils/small_models.js';
import { syntheticDataset } from './test-utils/synthetic_dataset.js';
import { TinyClassifier } from './test-utils/tiny_classifier.js';

const SHAPE: [number, number, number] = [8, 8, 1];

interface SeenBatch {
  maxPerturbation: number;
  minValue: number;
  maxValue: number;
  target: 'clean' | 'none';
}

/** Records what the training loop feeds lossTerms: how far the inputs are from the clean batch, and the target. */
class RecordingClassifier extends TinyClassifier {
  readonly seen: SeenBatch[] = [];
  cleanBatches: tf.Tensor4D[] = [];

  override lossTerms(x: tf.Tensor4D, y: tf.Tensor1D, weights?: LossWeights, options?: LossTermsOptions): LossTerms {
    if (x.shape[0] === 16) {
      const target = options?.reconstructionTarget;
      this.seen.push({
        maxPerturbation: target === undefined ? NaN : tf.tidy(() => tf.max(tf.abs(tf.sub(x, target)))).dataSync()[0],
        minValue: tf.tidy(() => tf.min(x)).dataSync()[0],
        maxValue: tf.tidy(() => tf.max(x)).dataSync()[0],
        target: target === undefined ? 'none' : 'clean',
      });
    }
    return super.lossTerms(x, y, weights, options);
  }
}

/** Like TinyClassifier but reconstructs whatever it is given, whatever the options say. */
class TargetIgnoringClassifier extends TinyClassifier {
  override lossTerms(x: tf.Tensor4D, y: tf.Tensor1D, weights?: LossWeights): LossTerms {
    return super.lossTerms(x, y, weights);
  }
}

function robustAccuracy(model: TinyClassifier, data: Dataset, epsilon: number): number {
  return tf.tidy(() => {
    const adversarial = pgdAdversarial((x) => model.classify(x), data.images, data.labels, { epsilon, steps: 10, seed: 1 });
    const predictions = tf.argMax(model.classify(adversarial), 1);
    return tf.mean(tf.cast(tf.equal(predictions, data.labels), 'float32')).dataSync()[0];
  });
}

describe('adversarial training', () => {
  let trainSet: Dataset;
  let validation: Dataset;
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', log: false });
    trainSet = syntheticDataset('toy/train', 96, 1);
    validation = syntheticDataset('toy/validation', 64, 2);
  });
  afterAll(() => {
    trainSet.dispose();
    validation.dispose();
  });

  const base = { epochs: 1, batchSize: 16, optimizer: { name: 'adam' as const, learningRate: 0.01 }, log: false as const };

  it.each([
    ['pgd', 'clean'],
    ['fgsm-rs', 'clean'],
    ['pgd', 'adversarial'],
  ] as const)('%s with the %s image as reconstruction target trains on perturbed inputs inside the epsilon ball', async (method, reconstructionInput) => {
    const model = new RecordingClassifier({ inputShape: SHAPE, numClasses: 4, seed: 3 });
    const adversarial: AdversarialConfig = { method, epsilon: 0.1, steps: method === 'pgd' ? 3 : 1, reconstructionInput };
    const history = await train(model, { train: trainSet }, { ...base, adversarial });
    expect(model.seen).toHaveLength(6);
    for (const batch of model.seen) {
      expect(batch.minValue).toBeGreaterThanOrEqual(0);
      expect(batch.maxValue).toBeLessThanOrEqual(1);
      if (reconstructionInput === 'clean') {
        expect(batch.target).toBe('clean');
        expect(batch.maxPerturbation).toBeGreaterThan(0.05);
        expect(batch.maxPerturbation).toBeLessThanOrEqual(0.1 + 1e-6);
      } else {
        expect(batch.target).toBe('none');
      }
    }
    expect(history.epochs[0].trainAdversarialAccuracy).toEqual(expect.any(Number));
    model.dispose();
  });

  it('makes the model more robust to PGD than clean training does', async () => {
    const epsilon = 0.2;
    const config = { ...base, epochs: 8, seed: 4 };
    const clean = new TinyClassifier({ inputShape: SHAPE, numClasses: 4, hidden: 32, seed: 3 });
    const robust = new TinyClassifier({ inputShape: SHAPE, numClasses: 4, hidden: 32, seed: 3 });
    await train(clean, { train: trainSet }, config);
    await train(robust, { train: trainSet }, { ...config, adversarial: { method: 'pgd', epsilon, steps: 5 } });
    const cleanRobust = robustAccuracy(clean, validation, epsilon);
    const adversarialRobust = robustAccuracy(robust, validation, epsilon);
    expect(adversarialRobust).toBeGreaterThan(cleanRobust + 0.2);
    clean.dispose();
    robust.dispose();
  });

  it('refuses a clean reconstruction target when the model ignores options.reconstructionTarget', async () => {
    const model = new TargetIgnoringClassifier({ inputShape: SHAPE, numClasses: 4, seed: 3 });
    await expect(train(model, { train: trainSet }, { ...base, adversarial: { method: 'pgd', epsilon: 0.1 } })).rejects.toThrow(
      "config.adversarial.reconstructionInput is 'clean' but the tiny model's lossTerms ignores options.reconstructionTarget",
    );
    model.dispose();
  });

  it('probes the reconstruction target without changing any weight, batch-norm statistics included', () => {
    const model = new TinyClassifier({ inputShape: SHAPE, numClasses: 4, seed: 3 });
    const values = () => model.network.weights.map((w) => Array.from(w.read().dataSync()));
    const before = values();
    const tensors = tf.memory().numTensors;
    expect(() => assertHonoursReconstructionTarget(model, trainSet.images, trainSet.labels, {})).not.toThrow();
    expect(values()).toEqual(before);
    expect(tf.memory().numTensors).toBe(tensors);
    // The check is not vacuous: a training-mode pass alone does move the moving statistics.
    tf.tidy(() => {
      model.lossTerms(tf.slice(trainSet.images, 0, 2), tf.slice(trainSet.labels, 0, 2));
    });
    expect(values()).not.toEqual(before);
    model.dispose();
  });

  it('adversarially trains the DDAR and the baseline models of @ddar/disentangle', async () => {
    const ddar = smallModels.ddar();
    const baseline = smallModels.baseline();
    const before = tf.memory().numTensors;
    const ddarHistory = await train(ddar, { train: trainSet }, {
      ...base,
      // 'clean' is the default: the probe must find that DDARModel honours options.reconstructionTarget.
      adversarial: { method: 'pgd', epsilon: 0.1, steps: 2, reconstructionInput: 'clean' },
    });
    const baselineHistory = await train(baseline, { train: trainSet }, { ...base, adversarial: { method: 'fgsm-rs', epsilon: 0.1 } });
    expect(tf.memory().numTensors).toBe(before);
    for (const history of [ddarHistory, baselineHistory]) {
      expect(Object.values(history.epochs[0].losses).every(Number.isFinite)).toBe(true);
      expect(history.epochs[0].trainAdversarialAccuracy).toEqual(expect.any(Number));
    }
    ddar.dispose();
    baseline.dispose();
  });
});
