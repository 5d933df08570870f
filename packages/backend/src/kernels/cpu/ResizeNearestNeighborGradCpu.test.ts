import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { registerCpuKernelFixes } from './ResizeNearestNeighborGradCpu.js';
import { prepareBackends, runOn, seededTensor } from '../test-utils/backends.js';

type Shape4 = [number, number, number, number];

const CASES: Array<{ label: string; x: Shape4; size: [number, number]; alignCorners?: boolean }> = [
  { label: 'factor 2, 3 images (the DDAR decoders)', x: [3, 7, 7, 4], size: [14, 14] },
  { label: 'factors 4 and 2', x: [2, 3, 5, 1], size: [12, 10] },
  { label: 'a fractional factor', x: [3, 4, 6, 2], size: [6, 9] },
  { label: 'downsampling', x: [2, 8, 8, 3], size: [3, 5] },
  { label: 'alignCorners', x: [3, 4, 5, 2], size: [8, 9], alignCorners: true },
];

/** The gradient of sum(resizeNearestNeighbor(x) * r) w.r.t. x for the given images of the batch. */
const gradient = (c: (typeof CASES)[number], images: number[]) => () => {
  const x = tf.gather(seededTensor(c.x, 61), images) as tf.Tensor4D;
  const r = tf.gather(seededTensor([c.x[0], ...c.size, c.x[3]], 62), images);
  return tf.grad((input: tf.Tensor) => tf.sum(tf.mul(tf.image.resizeNearestNeighbor(input as tf.Tensor4D, c.size, c.alignCorners ?? false), r)))(x);
};

beforeAll(async () => {
  await prepareBackends();
});

describe('ResizeNearestNeighborGrad on cpu (corrected)', () => {
  test('the stock kernel is wrong beyond the first image (why this exists)', async () => {
    const c = CASES[0];
    const batch = await runOn('cpu', gradient(c, [0, 1, 2]));
    const second = await runOn('cpu', gradient(c, [1]));
    const size = c.x[1] * c.x[2] * c.x[3];
    expect(Array.from(batch.values.slice(size, 2 * size))).not.toEqual(Array.from(second.values));
  });

  test.each(CASES)('a batch gives exactly what its images give one at a time, and what wasm gives: $label', async (c) => {
    registerCpuKernelFixes();
    const all = Array.from({ length: c.x[0] }, (_, i) => i);
    const batch = await runOn('cpu', gradient(c, all));
    const oneByOne: number[] = [];
    for (const image of all) oneByOne.push(...(await runOn('cpu', gradient(c, [image]))).values);
    expect(Array.from(batch.values)).toEqual(oneByOne);
    const wasm = await runOn('wasm', gradient(c, all));
    wasm.values.forEach((value, i) => expect(value).toBeCloseTo(batch.values[i], 5));
  });

  test('names the argument on bad input, and leaks nothing', async () => {
    registerCpuKernelFixes();
    await tf.setBackend('cpu');
    const images = tf.zeros([2, 3, 3, 1]);
    const dy = tf.zeros([2, 6, 6]);
    expect(() => tf.engine().runKernel('ResizeNearestNeighborGrad', { images, dy }, { alignCorners: false })).toThrow(
      /ResizeNearestNeighborGrad: dy must be rank 4/,
    );
    const good = tf.ones([2, 6, 6, 1]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) tf.dispose(tf.engine().runKernel('ResizeNearestNeighborGrad', { images, dy: good }, { alignCorners: false }) as tf.Tensor);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([images, dy, good]);
  });
});
