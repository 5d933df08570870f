import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@ddar/backend';
import { IDENTITY, translation } from './affine_matrix.js';
import { affineTransform, randomAffine, resize, rotate, scale, shear, translate } from './geometric_transforms.js';

/** [1, H, W, C] image whose pixel (r, c, ch) is `f(r, c, ch)`. */
function image(height: number, width: number, channels: number, f: (r: number, c: number, ch: number) => number): tf.Tensor4D {
  const values: number[] = [];
  for (let r = 0; r < height; r++) for (let c = 0; c < width; c++) for (let ch = 0; ch < channels; ch++) values.push(f(r, c, ch));
  return tf.tensor4d(values, [1, height, width, channels]);
}

function pixels(t: tf.Tensor4D): number[][][] {
  return (t.arraySync() as number[][][][])[0];
}

function expectClose(actual: tf.Tensor4D, expected: (r: number, c: number, ch: number) => number): void {
  const [, height, width, channels] = actual.shape;
  const got = pixels(actual);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      for (let ch = 0; ch < channels; ch++) expect(got[r][c][ch]).toBeCloseTo(expected(r, c, ch), 5);
    }
  }
}

describe('geometric transforms', () => {
  const value = (r: number, c: number, ch: number) => (r * 5 + c) / 25 + ch * 0.01;
  let before: number;
  beforeAll(() => initBackend({ backend: 'wasm', log: false }));
  beforeEach(() => {
    before = tf.memory().numTensors;
  });
  afterEach(() => expect(tf.memory().numTensors).toBe(before));

  it('identity is identity', () => {
    const x = image(4, 6, 2, value);
    const y = affineTransform(x, IDENTITY);
    expect(Array.from(y.dataSync())).toEqual(Array.from(x.dataSync()));
    tf.dispose([x, y]);
  });

  it('rotating by ±90 and 180 degrees equals transposing and flipping', () => {
    const x = image(5, 5, 2, value);
    const ccw = rotate(x, 90);
    const cw = rotate(x, -90);
    const half = rotate(x, 180);
    // Counter-clockwise: the right column becomes the top row (numpy's rot90).
    expectClose(ccw, (r, c, ch) => value(c, 4 - r, ch));
    expectClose(cw, (r, c, ch) => value(4 - c, r, ch));
    expectClose(half, (r, c, ch) => value(4 - r, 4 - c, ch));
    tf.dispose([x, ccw, cw, half]);
  });

  it('translating by whole pixels shifts with zero fill', () => {
    const x = image(4, 5, 1, value);
    const y = translate(x, 2, -1);
    expectClose(y, (r, c) => (c - 2 >= 0 && r + 1 < 4 ? value(r + 1, c - 2, 0) : 0));
    tf.dispose([x, y]);
  });

  it('samples bilinearly between pixels, blending with zero outside the image', () => {
    const x = tf.tensor4d([0, 1, 0.5], [1, 1, 3, 1]);
    const y = translate(x, 0.5, 0);
    expect(Array.from(y.dataSync())).toEqual([0, 0.5, 0.75]);
    tf.dispose([x, y]);
  });

  it('scales and shears about the centre', () => {
    const x = image(3, 3, 1, (r, c) => r * 3 + c);
    const bigger = scale(x, 2);
    // Output (0,0) reads input (0.5, 0.5): the mean of pixels 0, 1, 3 and 4.
    expect(pixels(bigger).map((row) => row.map((p) => p[0]))).toEqual([
      [2, 2.5, 3],
      [3.5, 4, 4.5],
      [5, 5.5, 6],
    ]);
    const sheared = shear(x, 1);
    // Rows below the centre move right one pixel per row, rows above move left.
    expect(pixels(sheared).map((row) => row.map((p) => p[0]))).toEqual([
      [1, 2, 0],
      [3, 4, 5],
      [0, 6, 7],
    ]);
    tf.dispose([x, bigger, sheared]);
  });

  it('resizes the whole image, pixel edges to pixel edges', () => {
    const x = image(4, 4, 1, (r, c) => r * 4 + c);
    const half = resize(x, 2, 2);
    // Each output pixel centre falls between four input pixels: the mean of each 2x2 block.
    expect(pixels(half).map((row) => row.map((p) => p[0]))).toEqual([[2.5, 4.5], [10.5, 12.5]]);
    const same = resize(x, 4, 4);
    expect(Array.from(same.dataSync())).toEqual(Array.from(x.dataSync()));
    expect(() => resize(x, 0, 2)).toThrow('resize: height must be a positive integer, but got 0');
    tf.dispose([x, half, same]);
  });

  it('applies one matrix per image across a batch', () => {
    const x = tf.tidy(() => tf.concat([image(3, 3, 1, (r, c) => r * 3 + c), image(3, 3, 1, (r, c) => 10 + r * 3 + c)]) as tf.Tensor4D);
    const y = affineTransform(x, [IDENTITY, translation(1, 0)]);
    const values = y.arraySync() as number[][][][];
    expect(values[0].map((row) => row.map((p) => p[0]))).toEqual([[0, 1, 2], [3, 4, 5], [6, 7, 8]]);
    expect(values[1].map((row) => row.map((p) => p[0]))).toEqual([[0, 10, 11], [0, 13, 14], [0, 16, 17]]);
    tf.dispose([x, y]);
  });

  it('keeps each image paired with its own matrix past the 1024-image chunk boundary', () => {
    const count = 1030;
    const x = tf.tidy(() => tf.tile(tf.tensor4d([1, 2, 3], [1, 1, 3, 1]), [count, 1, 1, 1]) as tf.Tensor4D);
    const shifts = Array.from({ length: count }, (_, i) => i % 3);
    const y = affineTransform(x, shifts.map((s) => translation(s, 0)));
    const values = y.dataSync();
    const expectedRow = [[1, 2, 3], [0, 1, 2], [0, 0, 1]];
    for (const i of [0, 1, 2, 1023, 1024, 1025, 1029]) {
      expect(Array.from(values.subarray(i * 3, i * 3 + 3))).toEqual(expectedRow[shifts[i]]);
    }
    tf.dispose([x, y]);
  });

  it('randomAffine is reproducible per seed and the identity when every range is zero', () => {
    const x = tf.tidy(() => tf.concat([image(6, 6, 1, value), image(6, 6, 1, (r, c) => value(c, r, 0))]) as tf.Tensor4D);
    const options = { rotation: 30, translate: 0.1, scale: [0.8, 1.2] as [number, number], shear: 0.2 };
    const a = randomAffine(x, { ...options, seed: 3 });
    const b = randomAffine(x, { ...options, seed: 3 });
    const c = randomAffine(x, { ...options, seed: 4 });
    const none = randomAffine(x, { seed: 3 });
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    expect(Array.from(a.dataSync())).not.toEqual(Array.from(c.dataSync()));
    expect(Array.from(a.dataSync())).not.toEqual(Array.from(x.dataSync()));
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(none, x))).dataSync()[0]);
    expect(diff).toBeLessThan(1e-6);
    tf.dispose([x, a, b, c, none]);
  });

  it('validates its inputs', () => {
    const x = image(3, 3, 1, value);
    expect(() => affineTransform(x, [IDENTITY, IDENTITY])).toThrow('affineTransform: matrices must be one matrix or one per image (1), but got 2');
    expect(() => affineTransform(x, [0, 0, 0, 0, 0, 0])).toThrow('is singular');
    const flat = tf.zeros([3, 3]);
    expect(() => affineTransform(flat as tf.Tensor4D, IDENTITY)).toThrow(
      'affineTransform: images must be a rank-4 tensor [N,H,W,C], but got rank 2',
    );
    expect(() => rotate(x, NaN)).toThrow('rotate: degrees must be a finite number, but got NaN');
    expect(() => scale(x, 0)).toThrow('scale: scale factors must be positive, but sx is 0');
    expect(() => randomAffine(x, { seed: 1, scale: [1.2, 0.8] })).toThrow('randomAffine: scale must be [lo, hi] with 0 < lo <= hi');
    tf.dispose([x, flat]);
  });
});
