import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@ddar/backend';
import { trainValidationSplit } from './train_validation_split.js';
import { exampleIds, indexedDataset } from './test-utils/indexed_dataset.js';

describe('trainValidationSplit', () => {
  beforeAll(() => initBackend({ backend: 'wasm', log: false }));

  it('partitions the examples at random, keeps labels with their images, and is reproducible per seed', () => {
    const ds = indexedDataset(50);
    const before = tf.memory().numTensors;
    const { train, validation } = trainValidationSplit(ds, { validationFraction: 0.2, seed: 7 });
    expect([train.size, validation.size]).toEqual([40, 10]);
    expect([train.name, validation.name]).toEqual(['indexed/train', 'indexed/validation']);
    const trainIds = exampleIds(train.images);
    const validationIds = exampleIds(validation.images);
    expect([...trainIds, ...validationIds].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(validationIds).not.toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(Array.from(validation.labels.dataSync())).toEqual(validationIds.map((i) => i % 3));
    expect(train.classNames).toEqual(['a', 'b', 'c']);

    const same = trainValidationSplit(ds, { validationFraction: 0.2, seed: 7 });
    const other = trainValidationSplit(ds, { validationFraction: 0.2, seed: 8 });
    expect(exampleIds(same.validation.images)).toEqual(validationIds);
    expect(exampleIds(other.validation.images)).not.toEqual(validationIds);
    for (const d of [train, validation, same.train, same.validation, other.train, other.validation]) d.dispose();
    expect(tf.memory().numTensors).toBe(before);
    ds.dispose();
  });

  it('validates its arguments', () => {
    const ds = indexedDataset(3);
    expect(() => trainValidationSplit(ds, { validationFraction: 1, seed: 1 })).toThrow('validationFraction must be in (0, 1), but got 1');
    expect(() => trainValidationSplit(ds, { validationFraction: 0.1, seed: 1 })).toThrow('leaves 0 for validation');
    expect(() => trainValidationSplit(ds, { validationFraction: 0.5, seed: 1.5 })).toThrow('seed must be an integer, but got 1.5');
    ds.dispose();
    expect(() => trainValidationSplit(ds, { validationFraction: 0.5, seed: 1 })).toThrow('dataset indexed has been disposed');
  });
});
