import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@ddar/backend';
// tfjs-core's Node build registers no gradients; tfjs-layers' does, and every user of this package
// loads it through the models, so the test loads it too.
import '@tensorflow/tfjs-layers';
import { warp, type WarpBorder } from './warp.js';

/** Float64 reference: the textbook definition, one pixel at a time. */
function referenceWarp(
  image: Float64Array | Float32Array,
  displacement: Float64Array | Float32Array,
  [n, h, w, c]: number[],
  border: WarpBorder,
): Float64Array {
  const out = new Float64Array(n * h * w * c);
  const read = (b: number, y: number, x: number, ch: number): number => {
    if (border === 'clamp') {
      y = Math.min(Math.max(y, 0), h - 1);
      x = Math.min(Math.max(x, 0), w - 1);
    } else if (y < 0 || y >= h || x < 0 || x >= w) {
      return 0;
    }
    return image[((b * h + y) * w + x) * c + ch];
  };
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const d = ((b * h + y) * w + x) * 2;
        const sx = x + displacement[d];
        const sy = y + displacement[d + 1];
        const x0 = Math.floor(sx);
        const y0 = Math.floor(sy);
        const fx = sx - x0;
        const fy = sy - y0;
        for (let ch = 0; ch < c; ch++) {
          out[((b * h + y) * w + x) * c + ch] =
            (1 - fy) * ((1 - fx) * read(b, y0, x0, ch) + fx * read(b, y0, x0 + 1, ch)) +
            fy * ((1 - fx) * read(b, y0 + 1, x0, ch) + fx * read(b, y0 + 1, x0 + 1, ch));
        }
      }
    }
  }
  return out;
}

/** Deterministic pseudo-random numbers so that failures reproduce. */
function sequence(length: number, seed: number, lo: number, hi: number): Float32Array {
  const out = new Float32Array(length);
  let state = seed >>> 0;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = lo + ((hi - lo) * state) / 2 ** 32;
  }
  return out;
}

/**
 * Displacements whose sample points sit at least 0.2 pixel from any grid line, so that a finite
 * difference step of 0.05 never crosses a kink of the piecewise-bilinear surface.
 */
function offGridDisplacement(length: number, seed: number, range: number): Float32Array {
  const raw = sequence(length, seed, -range, range);
  const frac = sequence(length, seed + 1, 0.2, 0.8);
  return raw.map((v, i) => Math.floor(v) + frac[i]);
}

const SHAPE = [2, 4, 5, 3];
const [N, H, W, C] = SHAPE;

describe('warp', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', log: false });
  });

  afterEach(async () => {
    await tf.setBackend('wasm');
  });

  it.each(['zeros', 'clamp'] as const)('returns the image exactly for a zero displacement (border %s)', (border) => {
    const image = tf.tensor4d(sequence(N * H * W * C, 1, -3, 3), [N, H, W, C]);
    const zero = tf.zeros([N, H, W, 2]) as tf.Tensor4D;
    for (const units of ['pixels', 'normalized'] as const) {
      const out = warp(image, zero, { border, units });
      expect(Array.from(out.dataSync())).toEqual(Array.from(image.dataSync()));
      out.dispose();
    }
    tf.dispose([image, zero]);
  });

  it('equals a zero-filled shift for a constant whole-pixel displacement', () => {
    const image = tf.tensor4d(sequence(N * H * W * C, 2, 0, 1), [N, H, W, C]);
    const dx = 2;
    const dy = -1;
    const field = tf.tile(tf.tensor4d([dx, dy], [1, 1, 1, 2]), [N, H, W, 1]) as tf.Tensor4D;
    const out = warp(image, field);
    // Output (y, x) reads (y + dy, x + dx): pad by |d| on the side the samples fall off, then crop.
    const shifted = tf.slice(tf.pad(image, [[0, 0], [1, 0], [0, 2], [0, 0]]), [0, 0, 2, 0], [N, H, W, C]);
    expect(Array.from(out.dataSync())).toEqual(Array.from(shifted.dataSync()));
    tf.dispose([image, field, out, shifted]);
  });

  it('repeats the edge for a constant whole-pixel displacement with border clamp', () => {
    const image = tf.tensor4d(sequence(N * H * W * C, 3, 0, 1), [N, H, W, C]);
    const field = tf.tile(tf.tensor4d([-3, 0], [1, 1, 1, 2]), [N, H, W, 1]) as tf.Tensor4D;
    const out = warp(image, field, { border: 'clamp' });
    const firstColumn = tf.slice(image, [0, 0, 0, 0], [N, H, 1, C]);
    const expected = tf.concat([tf.tile(firstColumn, [1, 1, 3, 1]), tf.slice(image, [0, 0, 0, 0], [N, H, W - 3, C])], 2);
    expect(Array.from(out.dataSync())).toEqual(Array.from(expected.dataSync()));
    tf.dispose([image, field, out, firstColumn, expected]);
  });

  it.each(['zeros', 'clamp'] as const)('matches the float64 reference, samples outside included (border %s)', (border) => {
    const imageData = sequence(N * H * W * C, 4, -1, 1);
    const fieldData = sequence(N * H * W * 2, 5, -3.5, 3.5);
    const image = tf.tensor4d(imageData, [N, H, W, C]);
    const field = tf.tensor4d(fieldData, [N, H, W, 2]);
    const out = warp(image, field, { border });
    const expected = referenceWarp(imageData, fieldData, SHAPE, border);
    const actual = out.dataSync();
    expected.forEach((v, i) => expect(actual[i]).toBeCloseTo(v, 5));
    tf.dispose([image, field, out]);
  });

  it('reads normalized units as (W - 1) / 2 and (H - 1) / 2 pixels', () => {
    const image = tf.tensor4d(sequence(N * H * W * C, 6, 0, 1), [N, H, W, C]);
    const normalized = tf.tensor4d(sequence(N * H * W * 2, 7, -0.8, 0.8), [N, H, W, 2]);
    const pixels = tf.mul(normalized, tf.tensor1d([(W - 1) / 2, (H - 1) / 2])) as tf.Tensor4D;
    const a = warp(image, normalized, { units: 'normalized' });
    const b = warp(image, pixels, { units: 'pixels' });
    const [da, db] = [a.dataSync(), b.dataSync()];
    da.forEach((v, i) => expect(v).toBeCloseTo(db[i], 6));
    tf.dispose([image, normalized, pixels, a, b]);
  });

  it.each(['zeros', 'clamp'] as const)(
    'has gradients equal to finite differences of the reference in both inputs (border %s)',
    (border) => {
      const imageData = sequence(N * H * W * C, 8, -1, 1);
      // Range 4 sends many samples outside the image: with clamp, many pixels share one edge
      // neighbour, which exercises the accumulation of duplicate indices in the image gradient.
      const fieldData = offGridDisplacement(N * H * W * 2, 9, 4);
      const upstream = sequence(N * H * W * C, 10, -1, 1);
      const loss = (img: ArrayLike<number>, field: ArrayLike<number>): number =>
        referenceWarp(Float64Array.from(img), Float64Array.from(field), SHAPE, border).reduce(
          (sum, v, i) => sum + v * upstream[i],
          0,
        );

      const image = tf.tensor4d(imageData, [N, H, W, C]);
      const field = tf.tensor4d(fieldData, [N, H, W, 2]);
      const weights = tf.tensor4d(upstream, [N, H, W, C]);
      const [gImage, gField] = tf.grads((img: tf.Tensor, f: tf.Tensor) =>
        tf.sum(tf.mul(warp(img as tf.Tensor4D, f as tf.Tensor4D, { border }), weights)),
      )([image, field]);

      const eps = 0.05;
      const numeric = (data: Float32Array, which: 'image' | 'field'): Float64Array =>
        Float64Array.from(data, (_, i) => {
          const plus = Float64Array.from(data);
          const minus = Float64Array.from(data);
          plus[i] += eps;
          minus[i] -= eps;
          const [fp, fm] =
            which === 'image'
              ? [loss(plus, fieldData), loss(minus, fieldData)]
              : [loss(imageData, plus), loss(imageData, minus)];
          return (fp - fm) / (2 * eps);
        });
      const expectedImage = numeric(imageData, 'image');
      const expectedField = numeric(fieldData, 'field');
      const [ai, af] = [gImage.dataSync(), gField.dataSync()];
      expectedImage.forEach((v, i) => expect(ai[i]).toBeCloseTo(v, 4));
      expectedField.forEach((v, i) => expect(af[i]).toBeCloseTo(v, 4));
      // The test would pass vacuously if everything sampled outside the image.
      expect(expectedImage.some((v) => Math.abs(v) > 0.1)).toBe(true);
      expect(expectedField.some((v) => Math.abs(v) > 0.1)).toBe(true);
      tf.dispose([image, field, weights, gImage, gField]);
    },
  );

  it('gives the same values and gradients on the wasm and cpu backends', async () => {
    const run = () =>
      tf.tidy(() => {
        const image = tf.tensor4d(sequence(N * H * W * C, 11, 0, 1), [N, H, W, C]);
        const field = tf.tensor4d(sequence(N * H * W * 2, 12, -0.6, 0.6), [N, H, W, 2]);
        const weights = tf.tensor4d(sequence(N * H * W * C, 13, -1, 1), [N, H, W, C]);
        const f = (img: tf.Tensor, d: tf.Tensor) =>
          tf.sum(tf.mul(warp(img as tf.Tensor4D, d as tf.Tensor4D, { units: 'normalized' }), weights));
        const { value, grads } = tf.valueAndGrads(f)([image, field]);
        return [value, ...grads].map((t) => Array.from(t.dataSync()));
      });
    await tf.setBackend('wasm');
    const onWasm = run();
    await tf.setBackend('cpu');
    const onCpu = run();
    onWasm.forEach((values, k) => values.forEach((v, i) => expect(v).toBeCloseTo(onCpu[k][i], 4)));
  });

  it.each(['zeros', 'clamp'] as const)(
    'makes a non-finite displacement NaN at its own pixel only, alike on wasm and cpu (border %s)',
    async (border) => {
      const run = () =>
        tf.tidy(() => {
          const image = tf.tensor4d(sequence(9, 16, 0, 1), [1, 3, 3, 1]);
          const field = tf.tensor4d([NaN, 0, Infinity, 0, 1e30, -1e30, 0, 0, 0.5, 0.5, 0, 0, 0, 0, 0, 0, 0, 0], [1, 3, 3, 2]);
          return Array.from(warp(image, field, { border }).dataSync());
        });
      await tf.setBackend('wasm');
      const onWasm = run();
      await tf.setBackend('cpu');
      const onCpu = run();
      expect(onWasm).toEqual(onCpu);
      expect(Number.isNaN(onWasm[0])).toBe(true);
      expect(Number.isNaN(onWasm[1])).toBe(true);
      // Pixel 2 samples (1e30, -1e30): far outside, a well-defined border value.
      expect(Number.isFinite(onWasm[2])).toBe(true);
      expect(onWasm.slice(3).every(Number.isFinite)).toBe(true);
    },
  );

  it('leaks no tensor across forward and backward passes', () => {
    const image = tf.tensor4d(sequence(N * H * W * C, 14, 0, 1), [N, H, W, C]);
    const field = tf.tensor4d(sequence(N * H * W * 2, 15, -2, 2), [N, H, W, 2]);
    const before = tf.memory().numTensors;
    for (const border of ['zeros', 'clamp'] as const) {
      warp(image, field, { border }).dispose();
      const grads = tf.grads((img: tf.Tensor, f: tf.Tensor) =>
        tf.sum(warp(img as tf.Tensor4D, f as tf.Tensor4D, { border })),
      )([image, field]);
      tf.dispose(grads);
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([image, field]);
  });

  it('rejects bad arguments with errors naming them and their shapes', () => {
    const image = tf.zeros([1, 4, 4, 1]) as tf.Tensor4D;
    const field = tf.zeros([1, 4, 4, 2]) as tf.Tensor4D;
    expect(() => warp(tf.zeros([4, 4, 1]) as unknown as tf.Tensor4D, field)).toThrow(
      'image must be rank 4 [N, H, W, C], but got rank 3 (shape [4,4,1])',
    );
    expect(() => warp(image, tf.zeros([1, 4, 4, 3]) as tf.Tensor4D)).toThrow(
      'displacement must have shape [N, H, W, 2], but got shape [1,4,4,3]',
    );
    expect(() => warp(image, tf.zeros([1, 4, 5, 2]) as tf.Tensor4D)).toThrow(
      'displacement [1,4,5,2] must match the batch, height and width of image [1,4,4,1]',
    );
    expect(() => warp(image, field, { border: 'wrap' as WarpBorder })).toThrow(
      "options.border must be one of zeros, clamp, but got 'wrap'",
    );
    expect(() => warp(image, field, { units: 'cm' as 'pixels' })).toThrow(
      "options.units must be one of pixels, normalized, but got 'cm'",
    );
    tf.dispose([image, field]);
  });

  it('is fast enough to train with: a 64 x 28 x 28 forward and backward pass in well under 100 ms', () => {
    const image = tf.randomUniform([64, 28, 28, 1]) as tf.Tensor4D;
    const field = tf.randomUniform([64, 28, 28, 2], -2, 2) as tf.Tensor4D;
    const step = () =>
      tf.tidy(() => {
        const grads = tf.grads((img: tf.Tensor, f: tf.Tensor) => tf.sum(warp(img as tf.Tensor4D, f as tf.Tensor4D)))([
          image,
          field,
        ]);
        grads.forEach((g) => g.dataSync());
      });
    // The fastest of a few runs: the machine is shared, and the point is the cost of the op itself.
    const times: number[] = [];
    for (let i = 0; i < 6; i++) {
      const start = performance.now();
      step();
      times.push(performance.now() - start);
    }
    expect(Math.min(...times)).toBeLessThan(100);
    tf.dispose([image, field]);
  });
});
