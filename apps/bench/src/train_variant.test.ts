import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@ddar/backend';
import { createDataset } from '@ddar/datasets';
import { DISPLACEMENT_DDAR_LOSS_WEIGHTS } from '@ddar/disentangle';
import { applyOverrides, type ProfileOverrides } from './overrides.js';
import { PROFILES } from './profiles.js';
import { VARIANTS } from './results.js';
import { trainingConfig, trainVariant } from './train_variant.js';

describe('trainingConfig', () => {
  const profile = PROFILES.quick;
  const configOf = (variant: (typeof VARIANTS)[number]) => trainingConfig(profile, 'mnist', variant, 3, '/tmp/run', 1);
  const augmentation = { maxRotationDegrees: 45, maxShiftPixels: 3, scaleRange: [0.8, 1.2] };

  it('trains the baselines on the cross-entropy alone', () => {
    for (const variant of ['baseline', 'pgd-at', 'baseline+aug'] as const) expect(configOf(variant).lossWeights).toEqual({});
  });

  it("gives ae-reg, ddar and ddar+pgd-at the profile's loss weights", () => {
    for (const variant of ['ae-reg', 'ddar', 'ddar+pgd-at'] as const) {
      expect(configOf(variant).lossWeights).toEqual({ reconstruction: 10, smoothness: 1, magnitude: 0, biasReduction: 1 });
    }
  });

  it('trains ddar-displacement with the weights of the displacement path', () => {
    expect(configOf('ddar-displacement').lossWeights).toEqual({ ...DISPLACEMENT_DDAR_LOSS_WEIGHTS });
    expect(configOf('ddar-displacement').geometricAugmentation).toBeUndefined();
  });

  it("adds the consistency terms and the augmentation to ddar+consistency, and the same augmentation to baseline+aug", () => {
    expect(configOf('ddar+consistency').lossWeights).toEqual({
      reconstruction: 10,
      smoothness: 1,
      magnitude: 0,
      biasReduction: 1,
      appearanceInvariance: 1,
      crossReconstruction: 10,
    });
    expect(configOf('ddar+consistency').geometricAugmentation).toEqual(augmentation);
    expect(configOf('baseline+aug').geometricAugmentation).toEqual(augmentation);
    for (const variant of ['baseline', 'ae-reg', 'ddar', 'pgd-at', 'ddar+pgd-at'] as const) expect(configOf(variant).geometricAugmentation).toBeUndefined();
  });

  it('adversarially trains only the *-at variants (PGD or FGSM-RS), never together with the augmentation', () => {
    const adversarial = ['pgd-at', 'ddar+pgd-at', 'fgsm-at', 'ddar+fgsm-at'];
    for (const variant of VARIANTS) {
      const config = configOf(variant);
      expect(config.adversarial !== undefined).toBe(adversarial.includes(variant));
      expect(config.adversarial !== undefined && config.geometricAugmentation !== undefined).toBe(false);
    }
    expect(configOf('pgd-at').adversarial).toEqual({ method: 'pgd', epsilon: 0.3, steps: 7, reconstructionInput: 'clean' });
    expect(configOf('ddar+fgsm-at').adversarial).toEqual({ method: 'fgsm-rs', epsilon: 0.3, reconstructionInput: 'clean' });
    expect(configOf('ddar+fgsm-at').lossWeights).toEqual(configOf('ddar').lossWeights);
  });

  it("never hands out the profile's own objects, which every variant shares", () => {
    expect(configOf('ddar').lossWeights).not.toBe(profile.lossWeights);
    expect(configOf('baseline+aug').geometricAugmentation).not.toBe(profile.consistency.augmentation);
  });

  it('keeps the profile budget, seed and checkpoint directory for every variant', () => {
    const config = configOf('ddar+consistency');
    expect(config).toMatchObject({ epochs: 2, batchSize: 64, seed: 3, optimizer: { name: 'adam', learningRate: 1e-3 }, dataParallel: { workers: 1 } });
    expect(config.checkpoint?.directory).toBe('/tmp/run/checkpoint');
  });
});

describe('trainVariant reuses a finished run only when it is the run asked for', () => {
  const profile = { ...PROFILES.smoke, epochs: 1, batchSize: 16 };
  let dir: string;
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', log: false });
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ddar-variant-'));
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('loads the same run, and refuses another variant, seed, profile or training set in its directory', async () => {
    const images = tf.randomUniform([32, 28, 28, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
    const labels = tf.tensor1d(Array.from({ length: 32 }, (_, i) => i % 10), 'int32');
    const trainSet = createDataset('tiny', images, labels, Array.from({ length: 10 }, (_, c) => String(c)));
    const run = path.join(dir, 'run');
    const quiet = () => undefined;
    const first = await trainVariant(profile, 'mnist', 'baseline', 1, trainSet, run, { log: quiet });
    expect(first.reused).toBe(false);
    first.model.dispose();

    const again = await trainVariant(profile, 'mnist', 'baseline', 1, trainSet, run, { log: quiet });
    expect(again.reused).toBe(true);
    again.model.dispose();

    await expect(trainVariant(profile, 'mnist', 'ddar', 1, trainSet, run, { log: quiet })).rejects.toThrow(
      `${run} holds a finished run that is not the one asked for: variant "baseline" (asked: "ddar")`,
    );
    await expect(trainVariant(profile, 'mnist', 'baseline', 7, trainSet, run, { log: quiet })).rejects.toThrow('seed 1 (asked: 7)');
    await expect(trainVariant({ ...profile, learningRate: 0.01 }, 'mnist', 'baseline', 1, trainSet, run, { log: quiet })).rejects.toThrow(
      'the training configuration',
    );
    const smaller = createDataset('tiny', tf.slice(images, 0, 16), tf.slice(labels, 0, 16), trainSet.classNames);
    await expect(trainVariant(profile, 'mnist', 'baseline', 1, smaller, run, { log: quiet })).rejects.toThrow('data "tiny (32 images)" (asked: "tiny (16 images)")');
    smaller.dispose();
    trainSet.dispose();
  });

  it('records the overrides it was trained with, reuses it with the same ones, and says which differ otherwise', async () => {
    const images = tf.randomUniform([32, 28, 28, 1], 0, 1, 'float32', 4) as tf.Tensor4D;
    const labels = tf.tensor1d(Array.from({ length: 32 }, (_, i) => i % 10), 'int32');
    const trainSet = createDataset('tiny', images, labels, Array.from({ length: 10 }, (_, c) => String(c)));
    const run = path.join(dir, 'overridden');
    const quiet = () => undefined;
    const train = (overrides: ProfileOverrides) => {
      const applied = applyOverrides(profile, overrides);
      return trainVariant(applied.profile, 'mnist', 'baseline', 1, trainSet, run, { log: quiet, overrides: applied.overrides });
    };
    const first = await train({ epochs: 2, seeds: 3 });
    first.model.dispose();
    expect(first.history.epochs).toHaveLength(2);
    const record = JSON.parse(await fs.readFile(path.join(run, 'training.json'), 'utf8'));
    // Only what shapes this training: the number of seeds does not.
    expect(record.overrides).toEqual({ epochs: { profile: 1, value: 2 } });

    const again = await train({ epochs: 2 });
    expect(again.reused).toBe(true);
    again.model.dispose();

    await expect(train({})).rejects.toThrow(
      `${run} holds a finished run that is not the one asked for: the training configuration: epochs 2 (asked: 1). It was trained with ` +
        "--epochs 2, and this command asks for the profile's own values. Give the same overrides to reuse it, choose another --out, or " +
        'delete that directory to train this run there',
    );
    await expect(train({ epochs: 2, learningRate: 0.01 })).rejects.toThrow(
      'the training configuration: optimizer.learningRate 0.001 (asked: 0.01). It was trained with --epochs 2, and this command asks for ' +
        '--epochs 2 --learning-rate 0.01.',
    );
    trainSet.dispose();
  });
});
