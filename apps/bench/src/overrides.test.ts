import type { Dataset } from '@ddar/datasets';
import {
  applyOverrides, checkBatchFitsLimit, checkTrainingSet, describeOverrides, overridesAsOptions, parseOverrides, pickOverrides, sameOverrides,
  TRAINING_OVERRIDES,
} from './overrides.js';
import { PROFILES } from './profiles.js';

describe('parseOverrides', () => {
  it('reads every override option', () => {
    expect(
      parseOverrides({
        datasets: 'mnist, fashion-mnist',
        seeds: '3',
        epochs: '4',
        batchSize: '128',
        learningRate: '3e-3',
        trainLimit: '1000',
        testLimit: '200',
      }),
    ).toEqual({ datasets: ['mnist', 'fashion-mnist'], seeds: 3, epochs: 4, batchSize: 128, learningRate: 0.003, trainLimit: 1000, testLimit: 200 });
    expect(parseOverrides({})).toEqual({});
  });

  it.each([
    ['epochs', '--epochs', '1.5', 'from 1 to 1000', 'not a whole number'],
    ['epochs', '--epochs', '0', 'from 1 to 1000', 'less than 1'],
    ['epochs', '--epochs', '-2', 'from 1 to 1000', 'less than 1'],
    ['epochs', '--epochs', 'abc', 'from 1 to 1000', 'not a number'],
    ['epochs', '--epochs', '', 'from 1 to 1000', 'not a number'],
    ['epochs', '--epochs', '20000', 'from 1 to 1000', 'more than 1000'],
    ['batchSize', '--batch-size', '1e9', 'from 1 to 8192', 'more than 8192'],
    ['batchSize', '--batch-size', 'NaN', 'from 1 to 8192', 'not a number'],
    ['trainLimit', '--train-limit', '0', 'from 1 to 1000000', 'less than 1'],
    ['trainLimit', '--train-limit', 'Infinity', 'from 1 to 1000000', 'not a whole number'],
    ['testLimit', '--test-limit', '10.5', 'from 1 to 1000000', 'not a whole number'],
    ['testLimit', '--test-limit', '99999999', 'from 1 to 1000000', 'more than 1000000'],
    ['seeds', '--seeds', '0', 'from 1 to 100', 'less than 1'],
    ['seeds', '--seeds', '1000', 'from 1 to 100', 'more than 100'],
  ])('refuses %s %s, naming the option, the text and why', (field, option, text, range, why) => {
    expect(() => parseOverrides({ [field]: text })).toThrow(`${option} must be a whole number ${range}, but got '${text}' (${why})`);
  });

  it.each([
    ['0', 'not positive'],
    ['-1e-3', 'not positive'],
    ['abc', 'not a number'],
    [' ', 'not a number'],
    ['Infinity', 'not finite'],
    ['10', 'more than 1'],
  ])("refuses --learning-rate '%s' (%s)", (text, why) => {
    expect(() => parseOverrides({ learningRate: text })).toThrow(
      `--learning-rate must be a number above 0 and at most 1 (e.g. 1e-3), but got '${text}' (${why})`,
    );
  });

  it('refuses a dataset list with an unknown, empty or repeated item', () => {
    expect(() => parseOverrides({ datasets: 'mnist,imagenet' })).toThrow("unknown dataset 'imagenet' in --datasets; known datasets: mnist, fashion-mnist, cifar10");
    expect(() => parseOverrides({ datasets: 'mnist,' })).toThrow("--datasets must be a comma-separated list of datasets (mnist, fashion-mnist, cifar10), but got 'mnist,'");
    expect(() => parseOverrides({ datasets: '' })).toThrow("but got ''");
    expect(() => parseOverrides({ datasets: 'mnist,mnist' })).toThrow("--datasets names mnist twice ('mnist,mnist'); each dataset runs once");
  });
});

describe('applyOverrides', () => {
  it('puts the overrides in place and records each as { profile, value }, a missing train limit as null', () => {
    const { profile, overrides } = applyOverrides(PROFILES.paper, { epochs: 2, learningRate: 3e-3, trainLimit: 5000, datasets: ['mnist'] });
    expect(profile).toMatchObject({ name: 'paper', epochs: 2, learningRate: 3e-3, trainLimit: 5000, datasets: ['mnist'], batchSize: 128, seeds: 3 });
    expect(overrides).toEqual({
      datasets: { profile: ['mnist', 'fashion-mnist', 'cifar10'], value: ['mnist'] },
      epochs: { profile: 20, value: 2 },
      learningRate: { profile: 1e-3, value: 3e-3 },
      trainLimit: { profile: null, value: 5000 },
    });
    // The named profile itself is untouched.
    expect(PROFILES.paper.epochs).toBe(20);
    expect(describeOverrides(overrides)).toBe('datasets mnist,fashion-mnist,cifar10 → mnist, epochs 20 → 2, learning rate 0.001 → 0.003, training images all → 5000');
    expect(overridesAsOptions(overrides)).toBe('--datasets mnist --epochs 2 --learning-rate 0.003 --train-limit 5000');
  });

  it("does not count a value equal to the profile's as an override: that run is the profile's own", () => {
    const { profile, overrides } = applyOverrides(PROFILES.quick, { epochs: 2, batchSize: 64, seeds: 2, datasets: ['mnist'] });
    expect(profile).toEqual(PROFILES.quick);
    expect(overrides).toEqual({});
    expect(describeOverrides(overrides)).toBe('');
    expect(overridesAsOptions(undefined)).toBe('');
  });

  it('tells which overrides shape a training, and compares overrides by the values given', () => {
    const { overrides } = applyOverrides(PROFILES.quick, { seeds: 3, testLimit: 100, batchSize: 32, trainLimit: 600 });
    expect(pickOverrides(overrides, TRAINING_OVERRIDES)).toEqual({ batchSize: { profile: 64, value: 32 }, trainLimit: { profile: 12000, value: 600 } });
    expect(sameOverrides(overrides, applyOverrides(PROFILES.quick, { seeds: 3, testLimit: 100, batchSize: 32, trainLimit: 600 }).overrides)).toBe(true);
    expect(sameOverrides(overrides, applyOverrides(PROFILES.quick, { seeds: 3, testLimit: 100, batchSize: 32 }).overrides)).toBe(false);
    expect(sameOverrides({}, undefined)).toBe(true);
  });
});

describe('batch size against the training set', () => {
  const trainSet = (size: number) => ({ name: 'mnist/train', size }) as unknown as Dataset;

  it('refuses a batch larger than the train limit before anything is loaded, naming where each number comes from', () => {
    const batch = applyOverrides(PROFILES.smoke, { batchSize: 512 });
    expect(() => checkBatchFitsLimit(batch.profile, batch.overrides)).toThrow(
      "--batch-size 512 is larger than the training set (256 images, the smoke profile's train limit); give a batch size of at most 256",
    );
    const limit = applyOverrides(PROFILES.smoke, { trainLimit: 32 });
    expect(() => checkBatchFitsLimit(limit.profile, limit.overrides)).toThrow(
      "the smoke profile's batch size 64 is larger than the training set (32 images, --train-limit 32); give a batch size of at most 32",
    );
    expect(() => checkBatchFitsLimit(PROFILES.smoke, {})).not.toThrow();
    expect(() => checkBatchFitsLimit(PROFILES.paper, {})).not.toThrow();
  });

  it('refuses a batch larger than the loaded set, and says when a limit exceeds it', () => {
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);
    const big = applyOverrides(PROFILES.paper, { batchSize: 4096 });
    expect(() => checkTrainingSet(big.profile, big.overrides, trainSet(1000), log)).toThrow(
      '--batch-size 4096 is larger than the training set (1000 images, all of mnist/train); give a batch size of at most 1000',
    );
    const limit = applyOverrides(PROFILES.quick, { trainLimit: 100000 });
    checkTrainingSet(limit.profile, limit.overrides, trainSet(60000), log);
    checkTrainingSet(PROFILES.quick, {}, trainSet(60000), log);
    expect(lines).toEqual(['--train-limit 100000: mnist/train has 60000 training images; training on all of them']);
  });
});
