import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@ddar/backend';
import { loadMnist } from './mnist.js';
import { MNIST_CLASS_NAMES } from './dataset_sources.js';

describe('loadMnist', () => {
  beforeAll(() => initBackend({ backend: 'wasm', log: false }));

  it('loads the 10 000 test images as [N,28,28,1] in [0,1] with all ten digits', async () => {
    const before = tf.memory().numTensors;
    const ds = await loadMnist({ split: 'test' });
    expect(ds.name).toBe('mnist/test');
    expect(ds.images.shape).toEqual([10000, 28, 28, 1]);
    expect(ds.classNames).toEqual(MNIST_CLASS_NAMES);
    const [min, max, mean] = tf.tidy(() => [tf.min(ds.images), tf.max(ds.images), tf.mean(ds.images)].map((t) => t.dataSync()[0]));
    expect(min).toBe(0);
    expect(max).toBe(1);
    // MNIST's well-known mean pixel intensity is about 0.13.
    expect(mean).toBeGreaterThan(0.12);
    expect(mean).toBeLessThan(0.14);
    const counts = new Array(10).fill(0);
    for (const label of ds.labels.dataSync()) counts[label]++;
    // Digit frequencies of the MNIST test set: 980 zeros, 1135 ones, ...
    expect(counts[0]).toBe(980);
    expect(counts[1]).toBe(1135);
    ds.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('honours limit and rejects a bad split', async () => {
    const ds = await loadMnist({ split: 'test', limit: 5 });
    expect(ds.images.shape).toEqual([5, 28, 28, 1]);
    // The first five test labels of MNIST.
    expect(Array.from(ds.labels.dataSync())).toEqual([7, 2, 1, 0, 4]);
    ds.dispose();
    await expect(loadMnist({ split: 'val' as 'test' })).rejects.toThrow("loadMnist: split must be 'train' or 'test', but got val");
  });

  it('[mnist-train] loads 60 000 training images holding exactly one float32 copy in tensors', async () => {
    const before = tf.memory();
    const ds = await loadMnist({ split: 'train' });
    const after = tf.memory();
    expect(ds.size).toBe(60000);
    expect(after.numTensors - before.numTensors).toBe(2);
    expect(after.numBytes - before.numBytes).toBe(60000 * 28 * 28 * 4 + 60000 * 4);
    ds.dispose();
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
  });
});
