import * as tf from '@tensorflow/tfjs-core';
import { DdarBilinearWarp, DdarBilinearWarpGrad } from './fused_kernel_names.js';
import { registerWasmFusedKernels } from './register_fused_kernels.js';
import { leakAfterRepeats, prepareBackends, relativeError, seededValues } from './test-utils/backends.js';
import { referenceWarp, type Border } from './test-utils/reference_geometry.js';

// DdarBilinearWarp and DdarBilinearWarpGrad against the warp's definition in float64. Their agreement with
// @ddar/disentangle's composite warp on the cpu backend (NaN, infinities and all) is tested there, in
// fused_kernels.test.ts, where that composite lives.

const TOLERANCE = 1e-4;

type Shape4 = [number, number, number, number];

const SHAPES: Array<{ label: string; shape: Shape4 }> = [
  { label: '1 pixel', shape: [1, 1, 1, 1] },
  { label: 'one row, 3 channels', shape: [2, 1, 6, 3] },
  { label: 'one column', shape: [2, 5, 1, 1] },
  { label: '7x9, 3 channels', shape: [3, 7, 9, 3] },
  { label: 'MNIST 28x28', shape: [4, 28, 28, 1] },
];

const CASES = SHAPES.flatMap((s) => (['zeros', 'clamp'] as const).map((border) => ({ ...s, border })));

/** Displacements up to two pixels beyond the image, a fifth of them whole pixels (sample points on grid lines). */
function displacementValues([n, h, w]: readonly number[], seed: number): Float32Array {
  return seededValues(n * h * w * 2, seed).map((v, i) => {
    const scaled = v * ((i % 2 === 0 ? w : h) / 2 + 2);
    return i % 5 === 0 ? Math.round(scaled) : scaled;
  });
}

function runWarp(image: tf.Tensor, displacement: tf.Tensor, border: Border): tf.Tensor {
  return tf.engine().runKernel(DdarBilinearWarp, { image, displacement }, { border }) as tf.Tensor;
}

function runWarpGrad(dy: tf.Tensor, image: tf.Tensor, displacement: tf.Tensor, border: Border): tf.Tensor[] {
  return tf.engine().runKernel(DdarBilinearWarpGrad, { dy, image, displacement }, { border }) as tf.Tensor[];
}

beforeAll(async () => {
  await prepareBackends();
  registerWasmFusedKernels();
  await tf.setBackend('wasm');
});

describe('DdarBilinearWarp and its gradient on wasm match the definition', () => {
  test.each(CASES)('$label $shape, border $border', ({ shape, border }) => {
    const [n, h, w, c] = shape;
    const imageValues = seededValues(n * h * w * c, 101);
    const fieldValues = displacementValues(shape, 102);
    const upstream = seededValues(n * h * w * c, 103);
    const expected = referenceWarp(imageValues, fieldValues, upstream, shape, border);
    const image = tf.tensor4d(imageValues, shape);
    const displacement = tf.tensor4d(fieldValues, [n, h, w, 2]);
    const dy = tf.tensor4d(upstream, shape);
    const output = runWarp(image, displacement, border);
    const [dImage, dDisplacement] = runWarpGrad(dy, image, displacement, border);
    expect(output.shape).toEqual(shape);
    expect(dImage.shape).toEqual(shape);
    expect(dDisplacement.shape).toEqual([n, h, w, 2]);
    expect(relativeError(output.dataSync(), expected.output)).toBeLessThan(TOLERANCE);
    expect(relativeError(dImage.dataSync(), expected.dImage)).toBeLessThan(TOLERANCE);
    expect(relativeError(dDisplacement.dataSync(), expected.dDisplacement)).toBeLessThan(TOLERANCE);
    tf.dispose([image, displacement, dy, output, dImage, dDisplacement]);
  });

  test('a zero displacement returns the image exactly; a NaN or infinite one makes its own pixel NaN only', () => {
    const imageValues = seededValues(9, 104);
    const image = tf.tensor4d(imageValues, [1, 3, 3, 1]);
    const zero = tf.zeros([1, 3, 3, 2]);
    const special = tf.tensor4d([NaN, 0, 0, Infinity, -Infinity, 0, 1e30, -1e30, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], [1, 3, 3, 2]);
    for (const border of ['zeros', 'clamp'] as const) {
      const same = runWarp(image, zero, border);
      expect(Array.from(same.dataSync())).toEqual(Array.from(imageValues));
      const out = Array.from(runWarp(image, special, border).dataSync());
      expect(out.slice(0, 3).every(Number.isNaN)).toBe(true);
      // (1e30, -1e30) is far outside but finite: the border's value.
      expect(out[3]).toBe(border === 'zeros' ? 0 : imageValues[2]);
      expect(out.slice(4)).toEqual(Array.from(imageValues.slice(4)));
      tf.dispose(same);
    }
    tf.dispose([image, zero, special]);
  });

  test('names the argument and its shape on bad input', () => {
    const image = tf.zeros([2, 4, 5, 1]);
    const displacement = tf.zeros([2, 4, 5, 2]);
    expect(() => runWarp(tf.zeros([4, 5, 1]), displacement, 'zeros')).toThrow(
      'Error in DdarBilinearWarp: image must be rank 4, but got rank 3 (shape [4,5,1]).',
    );
    expect(() => runWarp(image, tf.zeros([2, 5, 4, 2]), 'zeros')).toThrow(
      'Error in DdarBilinearWarp: displacement must have shape [2,4,5,2] (the batch, height and width of image), but got shape [2,5,4,2].',
    );
    expect(() => runWarp(image, displacement, 'wrap' as Border)).toThrow("attrs.border must be one of zeros, clamp, but got 'wrap'");
    expect(() => runWarp(tf.zeros([2, 4, 5, 1], 'int32'), displacement, 'zeros')).toThrow('image must have dtype float32, but got int32');
    expect(() => runWarpGrad(tf.zeros([2, 4, 5, 3]), image, displacement, 'zeros')).toThrow(
      'Error in DdarBilinearWarpGrad: dy must have shape [2,4,5,1] (the shape of image), but got shape [2,4,5,3].',
    );
    expect(() => tf.engine().runKernel(DdarBilinearWarp, { image }, { border: 'zeros' })).toThrow("input 'displacement' is missing");
    tf.dispose([image, displacement]);
  });

  test('leaks no tensors, data ids or heap over 100 forward and backward calls', async () => {
    const shape: Shape4 = [16, 28, 28, 1];
    const image = tf.tensor4d(seededValues(16 * 28 * 28, 105), shape);
    const displacement = tf.tensor4d(displacementValues(shape, 106), [16, 28, 28, 2]);
    const dy = tf.tensor4d(seededValues(16 * 28 * 28, 107), shape);
    const leak = await leakAfterRepeats(() => {
      for (const border of ['zeros', 'clamp'] as const) {
        tf.dispose([runWarp(image, displacement, border), ...runWarpGrad(dy, image, displacement, border)]);
      }
    });
    expect(leak).toEqual({ tensors: 0, dataIds: 0, heapBytes: 0 });
    tf.dispose([image, displacement, dy]);
  });
});
