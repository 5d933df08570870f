import * as tf from '@tensorflow/tfjs-core';
import { leakAfterRepeats, prepareBackends, relativeError, runOn, seededTensor, seededValues } from './test-utils/backends.js';

const TOLERANCE = 1e-4;

interface Case {
  label: string;
  x: number[];
  ids: number[];
  numSegments: number;
  dtype?: 'float32' | 'int32';
}

// Ids in [-3, numSegments + 3) so that some fall outside and must be dropped, as tfjs cpu does.
function idsFor(count: number, numSegments: number, seed: number, outOfRange: boolean): number[] {
  return Array.from(seededValues(count, seed), (u) =>
    outOfRange ? Math.floor(((u + 1) / 2) * (numSegments + 6)) - 3 : Math.floor(((u + 1) / 2) * numSegments),
  );
}

const CASES: Case[] = [
  { label: 'rank-1 x, repeated ids', x: [12], ids: [0, 2, 2, 1, 0, 4, 4, 4, 3, 2, 1, 0], numSegments: 5 },
  { label: 'rank-3 x, unused segments', x: [7, 3, 2], ids: [5, 0, 5, 5, 2, 0, 7], numSegments: 9 },
  { label: 'negative and too-large ids are dropped', x: [40, 4], ids: idsFor(40, 6, 21, true), numSegments: 6 },
  { label: 'all ids out of range', x: [4, 3], ids: [-1, 3, 7, -5], numSegments: 3 },
  { label: 'int32 values', x: [30, 2], ids: idsFor(30, 5, 22, true), numSegments: 5, dtype: 'int32' },
  { label: 'many ids, wide rows', x: [2048, 8], ids: idsFor(2048, 150, 23, false), numSegments: 150 },
];

function values(c: Case, seed: number): tf.Tensor {
  const x = seededTensor(c.x, seed);
  return c.dtype === 'int32' ? tf.cast(tf.mul(x, 100), 'int32') : x;
}

beforeAll(prepareBackends);

describe('UnsortedSegmentSum on wasm matches cpu', () => {
  test.each(CASES)('kernel output: $label', async (c) => {
    const compute = () => tf.unsortedSegmentSum(values(c, 31), tf.tensor1d(c.ids, 'int32'), c.numSegments);
    const wasm = await runOn('wasm', compute);
    const cpu = await runOn('cpu', compute);
    expect(wasm.shape).toEqual([c.numSegments, ...c.x.slice(1)]);
    expect(wasm.shape).toEqual(cpu.shape);
    expect(relativeError(wasm.values, cpu.values)).toBeLessThan(TOLERANCE);
  });

  // cpu cannot pack zero segments, so the expectation is written out.
  test('numSegments 0 gives an empty result', async () => {
    const wasm = await runOn('wasm', () => tf.unsortedSegmentSum(seededTensor([3, 2], 30), tf.tensor1d([0, 1, 2], 'int32'), 0));
    expect(wasm.shape).toEqual([0, 2]);
    expect(wasm.values.length).toBe(0);
  });

  test('segment ids of rank 2 sum like their flattened version', async () => {
    const flatIds = idsFor(24, 7, 24, true);
    const wasm = await runOn('wasm', () =>
      tf.unsortedSegmentSum(seededTensor([4, 6, 3], 32), tf.tensor2d(flatIds, [4, 6], 'int32') as unknown as tf.Tensor1D, 7),
    );
    const cpu = await runOn('cpu', () => tf.unsortedSegmentSum(seededTensor([24, 3], 32), tf.tensor1d(flatIds, 'int32'), 7));
    expect(wasm.shape).toEqual([7, 3]);
    expect(relativeError(wasm.values, cpu.values)).toBeLessThan(TOLERANCE);
  });

  // tfjs-core 4.22 registers no gradient for GatherNd on any backend, so a warp must gather with
  // tf.gather on flattened pixels: that is the path checked here, with 4 taps per output pixel.
  test('gradient of gather over flattened pixels (bilinear-warp style indexing)', async () => {
    const image = [2, 9, 9, 3];
    const pixels = image[0] * image[1] * image[2];
    const flatIndices = idsFor(4 * pixels, pixels, 25, false);
    const compute = () =>
      tf.grad((img: tf.Tensor) => {
        const gathered = tf.gather(tf.reshape(img, [pixels, image[3]]), tf.tensor1d(flatIndices, 'int32'));
        return tf.sum(tf.mul(gathered, seededTensor(gathered.shape, 27)));
      })(seededTensor(image, 29));
    const wasm = await runOn('wasm', compute);
    const cpu = await runOn('cpu', compute);
    expect(relativeError(wasm.values, cpu.values)).toBeLessThan(TOLERANCE);
  });
});

describe('UnsortedSegmentSum input validation and memory', () => {
  test('rejects ids that are not a prefix of x, naming both shapes', async () => {
    await tf.setBackend('wasm');
    const x = tf.zeros([4, 2]);
    const ids = tf.tensor1d([0, 1, 2], 'int32');
    expect(() => tf.unsortedSegmentSum(x, ids, 3)).toThrow(/segmentIds shape \[3\] must be a non-empty prefix of x shape \[4,2\]/);
    expect(() => tf.engine().runKernel('UnsortedSegmentSum', { x, segmentIds: tf.tensor1d([0, 1, 1, 0], 'int32') }, { numSegments: -1 })).toThrow(
      /numSegments must be a non-negative integer, but got -1/,
    );
    tf.dispose([x, ids]);
  });

  test.each([
    ['in-range ids', false],
    ['out-of-range ids (trash-row path)', true],
  ])('100 calls with %s leave nothing behind', async (_label, outOfRange) => {
    await tf.setBackend('wasm');
    const x = seededTensor([500, 4], 33);
    const ids = tf.tensor1d(idsFor(500, 50, 34, outOfRange as boolean), 'int32');
    const leak = await leakAfterRepeats(() => tf.tidy(() => {
      tf.unsortedSegmentSum(x, ids, 50).dataSync();
    }));
    expect(leak).toEqual({ tensors: 0, dataIds: 0, heapBytes: 0 });
    tf.dispose([x, ids]);
  });
});
