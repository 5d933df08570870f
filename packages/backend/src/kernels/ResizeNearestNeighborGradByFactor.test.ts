import * as tf from '@tensorflow/tfjs-core';
import { registerWasmReplacementKernels } from './register_replacement_kernels.js';
import { leakAfterRepeats, prepareBackends, relativeError, runOn, seededTensor } from './test-utils/backends.js';

const TOLERANCE = 1e-5;

type Shape4 = [number, number, number, number];

const CASES: Array<{ label: string; x: Shape4; size: [number, number]; alignCorners?: boolean; halfPixelCenters?: boolean }> = [
  { label: 'DDAR appearance decoder, 14 -> 28, 16 channels', x: [4, 14, 14, 16], size: [28, 28] },
  { label: 'DDAR appearance decoder, 7 -> 14, 32 channels', x: [4, 7, 7, 32], size: [14, 14] },
  { label: 'factors 4 and 2, one image', x: [1, 3, 5, 4], size: [12, 10] },
  { label: 'factor 1 (a copy)', x: [2, 5, 5, 8], size: [5, 5] },
  { label: 'half-pixel centres, factor 2', x: [2, 6, 6, 8], size: [12, 12], halfPixelCenters: true },
  { label: 'channels not in fours (general kernel)', x: [2, 7, 7, 3], size: [14, 14] },
  { label: 'a fractional factor (general kernel)', x: [2, 4, 6, 4], size: [6, 9] },
  { label: 'alignCorners (general kernel)', x: [2, 4, 4, 4], size: [8, 8], alignCorners: true },
];

beforeAll(async () => {
  await prepareBackends();
  registerWasmReplacementKernels();
});

// The reference is the cpu kernel one image at a time: for batches tfjs-backend-cpu 4.22 offsets dy by the input
// image's size rather than dy's, so its gradient is wrong beyond the first image.
describe('ResizeNearestNeighborGrad on wasm (replacement) matches cpu, image by image', () => {
  test.each(CASES)('gradient of sum(resizeNearestNeighbor(x) * r) w.r.t. x: $label', async (c) => {
    const gradient = (images: number[]) => () => {
      const x = tf.gather(seededTensor(c.x, 51), images) as tf.Tensor4D;
      const r = tf.gather(seededTensor([c.x[0], ...c.size, c.x[3]], 52), images);
      const resize = (input: tf.Tensor) =>
        tf.image.resizeNearestNeighbor(input as tf.Tensor4D, c.size, c.alignCorners ?? false, c.halfPixelCenters ?? false);
      return tf.grad((input: tf.Tensor) => tf.sum(tf.mul(resize(input), r)))(x);
    };
    const all = Array.from({ length: c.x[0] }, (_, i) => i);
    const wasm = await runOn('wasm', gradient(all));
    const cpu: number[] = [];
    for (const image of all) cpu.push(...(await runOn('cpu', gradient([image]))).values);
    expect(wasm.shape).toEqual(c.x);
    expect(relativeError(wasm.values, cpu)).toBeLessThan(TOLERANCE);
  });

  test('leaks no tensors, data ids or heap over 100 calls', async () => {
    await tf.setBackend('wasm');
    const x = seededTensor([4, 14, 14, 16], 53) as tf.Tensor4D;
    const r = seededTensor([4, 28, 28, 16], 54);
    const grad = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(tf.image.resizeNearestNeighbor(input as tf.Tensor4D, [28, 28]), r)));
    const leak = await leakAfterRepeats(() => grad(x).dispose());
    expect(leak).toEqual({ tensors: 0, dataIds: 0, heapBytes: 0 });
    tf.dispose([x, r]);
  });
});
