import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@ddar/backend';
import type { Dataset } from './dataset.js';
import { loadMnist } from './mnist.js';
import { affnistLike, rotated, scaled, sheared, translated } from './transformed_datasets.js';

describe('transformed datasets', () => {
  let mnist: Dataset;
  let before: number;
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', log: false });
    mnist = await loadMnist({ split: 'test', limit: 64 });
  });
  afterAll(() => mnist.dispose());
  beforeEach(() => {
    before = tf.memory().numTensors;
  });
  afterEach(() => expect(tf.memory().numTensors).toBe(before));

  it('derive new datasets with the same labels and a name saying what was done', () => {
    const derived = [
      rotated(mnist, { degrees: 30 }),
      translated(mnist, { dx: 2, dy: -3 }),
      scaled(mnist, { factor: 0.8 }),
      sheared(mnist, { shear: 0.3 }),
    ];
    expect(derived.map((d) => d.name)).toEqual([
      'mnist/test+rot30', 'mnist/test+shift2,-3', 'mnist/test+scale0.8', 'mnist/test+shear0.3',
    ]);
    for (const d of derived) {
      expect(d.images.shape).toEqual(mnist.images.shape);
      expect(Array.from(d.labels.dataSync())).toEqual(Array.from(mnist.labels.dataSync()));
      expect(d.classNames).toEqual(mnist.classNames);
      d.dispose();
    }
    expect(mnist.images.isDisposed).toBe(false);
  });

  it('affnistLike with every range zero only centres the digits on the 40x40 canvas', () => {
    const placed = affnistLike(mnist, { rotation: 0, shear: 0, scale: [1, 1], translate: 0 });
    expect(placed.images.shape).toEqual([64, 40, 40, 1]);
    const centre = tf.tidy(() => tf.slice(placed.images, [0, 6, 6, 0], [-1, 28, 28, -1]));
    expect(Array.from(centre.dataSync())).toEqual(Array.from(mnist.images.dataSync()));
    const total = tf.tidy(() => tf.sum(placed.images).dataSync()[0]);
    const inside = tf.tidy(() => tf.sum(centre).dataSync()[0]);
    expect(total).toBeCloseTo(inside, 2);
    placed.dispose();
    centre.dispose();
  });

  it('affnistLike with the default protocol is reproducible per seed and keeps most of the ink', () => {
    const a = affnistLike(mnist, { rotation: 20, shear: 0.2, scale: [0.8, 1.2], translate: 0.1, seed: 1 });
    const b = affnistLike(mnist, { seed: 1 });
    const c = affnistLike(mnist, { seed: 2 });
    expect(a.name).toBe('mnist/test+affnist-like(seed=1)');
    expect(Array.from(a.images.dataSync())).toEqual(Array.from(b.images.dataSync()));
    expect(Array.from(a.images.dataSync())).not.toEqual(Array.from(c.images.dataSync()));
    // Area changes by sx*sy in [0.64, 1.44] and a shift of 4 px cannot push a 28 px digit off a 40 px canvas.
    const ratio = tf.tidy(() => tf.div(tf.sum(a.images, [1, 2, 3]), tf.sum(mnist.images, [1, 2, 3])).dataSync());
    for (const r of ratio) {
      expect(r).toBeGreaterThan(0.6);
      expect(r).toBeLessThan(1.5);
    }
    for (const d of [a, b, c]) d.dispose();
  });

  it('rejects a canvas smaller than the images', () => {
    expect(() => affnistLike(mnist, { pad: 20 })).toThrow('affnistLike: pad must be an integer side >= the image size 28x28, but got 20');
  });
});
