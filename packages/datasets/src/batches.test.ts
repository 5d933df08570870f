import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@ddar/backend';
import { batches } from './batches.js';
import { exampleIds, indexedDataset } from './test-utils/indexed_dataset.js';
import type { Dataset } from './dataset.js';

/** Runs one epoch, disposing each batch as a consumer must, and checks nothing else is held. */
function epoch(iterable: Iterable<{ images: tf.Tensor4D; labels: tf.Tensor1D; indices: Int32Array }>): number[][] {
  const baseline = tf.memory().numTensors;
  const seen: number[][] = [];
  for (const batch of iterable) {
    expect(tf.memory().numTensors).toBe(baseline + 2);
    const ids = exampleIds(batch.images);
    expect(Array.from(batch.indices)).toEqual(ids);
    expect(Array.from(batch.labels.dataSync())).toEqual(ids.map((i) => i % 3));
    seen.push(ids);
    tf.dispose([batch.images, batch.labels]);
  }
  expect(tf.memory().numTensors).toBe(baseline);
  return seen;
}

describe('batches', () => {
  let ds: Dataset;
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', log: false });
    ds = indexedDataset(10);
  });
  afterAll(() => ds.dispose());

  it('walks the dataset in order, with a short last batch unless dropRemainder', () => {
    expect(epoch(batches(ds, { batchSize: 4 }))).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    expect(epoch(batches(ds, { batchSize: 4, dropRemainder: true }))).toEqual([[0, 1, 2, 3], [4, 5, 6, 7]]);
  });

  it('shuffles every epoch differently, covering each example once, reproducibly for a seed', () => {
    const iterable = batches(ds, { batchSize: 3, shuffle: true, seed: 42 });
    const first = epoch(iterable);
    const second = epoch(iterable);
    for (const e of [first, second]) expect(e.flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(first.flat()).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(second.flat()).not.toEqual(first.flat());
    const replay = batches(ds, { batchSize: 3, shuffle: true, seed: 42 });
    expect(epoch(replay)).toEqual(first);
    expect(epoch(replay)).toEqual(second);
  });

  it('validates batchSize and seed', () => {
    expect(() => batches(ds, { batchSize: 0 })).toThrow('batches: batchSize must be a positive integer, but got 0');
    expect(() => batches(ds, { batchSize: 2, shuffle: true, seed: 0.5 })).toThrow('batches: seed must be an integer');
  });
});
