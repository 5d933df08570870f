import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@ddar/backend';
// tfjs-core's Node build registers no gradients; tfjs-layers' does (see warp.test.ts).
import '@tensorflow/tfjs-layers';
import { integralAffineDisplacement, integralGrid, warpIncrements } from './integral_warp.js';
import { warp } from './warp.js';

/** Deterministic values in [low, high). */
function sequence(length: number, seed: number, low: number, high: number): Float32Array {
  let state = seed >>> 0;
  return Float32Array.from({ length }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return low + ((state >>> 8) / 2 ** 24) * (high - low);
  });
}

/** Float64 reference from the definition: running sums, centred, then the affine map in normalized coordinates. */
function referenceDisplacement(increments: Float32Array, residual: Float32Array, n: number, h: number, w: number): Float64Array {
  const out = new Float64Array(n * h * w * 2);
  const halfW = (w - 1) / 2;
  const halfH = (h - 1) / 2;
  for (let b = 0; b < n; b++) {
    const gx = new Float64Array(h * w);
    const gy = new Float64Array(h * w);
    for (let y = 0; y < h; y++) {
      let sum = 0;
      for (let x = 0; x < w; x++) {
        if (x > 0) sum += increments[((b * h + y) * w + x) * 2];
        gx[y * w + x] = sum;
      }
      let mean = 0;
      for (let x = 0; x < w; x++) mean += gx[y * w + x] / w;
      for (let x = 0; x < w; x++) gx[y * w + x] += halfW - mean;
    }
    for (let x = 0; x < w; x++) {
      let sum = 0;
      for (let y = 0; y < h; y++) {
        if (y > 0) sum += increments[((b * h + y) * w + x) * 2 + 1];
        gy[y * w + x] = sum;
      }
      let mean = 0;
      for (let y = 0; y < h; y++) mean += gy[y * w + x] / h;
      for (let y = 0; y < h; y++) gy[y * w + x] += halfH - mean;
    }
    const r = residual.subarray(b * 6, b * 6 + 6);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const u = (gx[y * w + x] - halfW) / halfW;
        const v = (gy[y * w + x] - halfH) / halfH;
        const mappedU = (1 + r[0]) * u + r[1] * v + r[2];
        const mappedV = r[3] * u + (1 + r[4]) * v + r[5];
        out[((b * h + y) * w + x) * 2] = mappedU * halfW + halfW - x;
        out[((b * h + y) * w + x) * 2 + 1] = mappedV * halfH + halfH - y;
      }
    }
  }
  return out;
}

const [N, H, W] = [2, 5, 6];

describe('integralAffineDisplacement', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', log: false });
  });
  afterEach(async () => {
    await tf.setBackend('wasm');
  });

  it('is exactly the identity for unit increments and a zero affine residual, so the warp returns the template', () => {
    const increments = warpIncrements(tf.zeros([N, H, W, 2]));
    const displacement = integralAffineDisplacement(increments, tf.zeros([N, 6]));
    expect(Math.max(...Array.from(tf.abs(displacement).dataSync()))).toBeLessThan(1e-5);
    const template = tf.tensor4d(sequence(N * H * W, 3, 0, 1), [N, H, W, 1]);
    const reconstruction = warp(template, displacement);
    expect(Math.max(...Array.from(tf.abs(tf.sub(reconstruction, template)).dataSync()))).toBeLessThan(1e-5);
    tf.dispose([increments, displacement, template, reconstruction]);
  });

  it('matches the definition (running sums, centred, then the affine map) on arbitrary inputs', () => {
    const incrementValues = sequence(N * H * W * 2, 5, 0.1, 1.9);
    const residualValues = sequence(N * 6, 6, -0.4, 0.4);
    const displacement = integralAffineDisplacement(
      tf.tensor4d(incrementValues, [N, H, W, 2]),
      tf.tensor2d(residualValues, [N, 6]),
    );
    const expected = referenceDisplacement(incrementValues, residualValues, N, H, W);
    displacement.dataSync().forEach((v, i) => expect(v).toBeCloseTo(expected[i], 4));
    displacement.dispose();
  });

  it('moves by a whole pixel for a translation residual of 2 / (W - 1), and rotates about the centre', () => {
    const ones = tf.ones([1, H, W, 2]) as tf.Tensor4D;
    const shift = integralAffineDisplacement(ones, tf.tensor2d([[0, 0, 2 / (W - 1), 0, 0, 0]]));
    shift.dataSync().forEach((v, i) => expect(v).toBeCloseTo(i % 2 === 0 ? 1 : 0, 5));
    // A 90° rotation of a square grid: (u, v) -> (-v, u). The centre pixel does not move.
    const square = tf.ones([1, 5, 5, 2]) as tf.Tensor4D;
    const rotation = integralAffineDisplacement(square, tf.tensor2d([[-1, -1, 0, 1, -1, 0]]));
    const field = rotation.dataSync();
    const at = (x: number, y: number) => [field[(y * 5 + x) * 2], field[(y * 5 + x) * 2 + 1]];
    expect(at(2, 2)[0]).toBeCloseTo(0, 5);
    expect(at(2, 2)[1]).toBeCloseTo(0, 5);
    // Pixel (4, 2), right of the centre, samples (2, 4), below it.
    expect(at(4, 2)[0]).toBeCloseTo(-2, 5);
    expect(at(4, 2)[1]).toBeCloseTo(2, 5);
    tf.dispose([ones, shift, square, rotation]);
  });

  it('never reverses the order of neighbouring samples, whatever the decoder outputs', () => {
    for (const [seed, range] of [[1, 3], [2, 30], [3, 1e4]] as const) {
      const logits = tf.tensor4d(sequence(4 * 7 * 9 * 2, seed, -range, range), [4, 7, 9, 2]);
      const grid = integralGrid(warpIncrements(logits));
      const values = grid.dataSync();
      for (let b = 0; b < 4; b++) {
        for (let y = 0; y < 7; y++) {
          for (let x = 0; x < 9; x++) {
            const here = ((b * 7 + y) * 9 + x) * 2;
            // Along a row x never decreases; along a column y never decreases (up to float rounding).
            if (x > 0) expect(values[here]).toBeGreaterThanOrEqual(values[here - 2] - 1e-4);
            if (y > 0) expect(values[here + 1]).toBeGreaterThanOrEqual(values[here + 1 - 18] - 1e-4);
          }
        }
      }
      // Moderate logits give strictly increasing coordinates.
      if (range <= 3) {
        for (let i = 2; i < values.length; i += 2) if ((i / 2) % 9 !== 0) expect(values[i]).toBeGreaterThan(values[i - 2]);
      }
      tf.dispose([logits, grid]);
    }
  });

  it.each(['cpu', 'wasm'])('has gradients that match central differences on %s', async (backend) => {
    await tf.setBackend(backend);
    const weights = tf.tensor4d(sequence(N * H * W * 2, 7, -1, 1), [N, H, W, 2]);
    const objective = (increments: tf.Tensor, residual: tf.Tensor) =>
      tf.sum(tf.mul(integralAffineDisplacement(increments as tf.Tensor4D, residual as tf.Tensor2D), weights)) as tf.Scalar;
    const incrementValues = sequence(N * H * W * 2, 8, 0.2, 1.8);
    const residualValues = sequence(N * 6, 9, -0.3, 0.3);
    const increments = tf.tensor4d(incrementValues, [N, H, W, 2]);
    const residual = tf.tensor2d(residualValues, [N, 6]);
    const [gIncrements, gResidual] = tf.grads(objective)([increments, residual]);
    // The objective is linear in each input, so central differences are exact up to float32 rounding.
    const numeric = (values: Float32Array, makeArgs: (v: Float32Array) => [tf.Tensor, tf.Tensor], i: number) => {
      const h = 1e-2;
      const plus = values.slice();
      const minus = values.slice();
      plus[i] += h;
      minus[i] -= h;
      const f = (v: Float32Array) => tf.tidy(() => objective(...makeArgs(v)).dataSync()[0]);
      return (f(plus) - f(minus)) / (plus[i] - minus[i]);
    };
    const analyticIncrements = gIncrements.dataSync();
    for (let i = 0; i < incrementValues.length; i += 7) {
      const expected = numeric(incrementValues, (v) => [tf.tensor4d(v, [N, H, W, 2]), residual], i);
      expect(analyticIncrements[i]).toBeCloseTo(expected, 1);
    }
    const analyticResidual = gResidual.dataSync();
    for (let i = 0; i < residualValues.length; i++) {
      const expected = numeric(residualValues, (v) => [increments, tf.tensor2d(v, [N, 6])], i);
      expect(analyticResidual[i]).toBeCloseTo(expected, 1);
    }
    expect(Array.from(analyticIncrements).some((v) => Math.abs(v) > 0.1)).toBe(true);
    expect(Array.from(analyticResidual).some((v) => Math.abs(v) > 0.1)).toBe(true);
    tf.dispose([weights, increments, residual, gIncrements, gResidual]);
  });

  it('leaks no tensor, forward or backward', () => {
    const increments = tf.ones([N, H, W, 2]) as tf.Tensor4D;
    const residual = tf.zeros([N, 6]) as tf.Tensor2D;
    const step = () =>
      tf.tidy(() => {
        tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(integralAffineDisplacement(a as tf.Tensor4D, b as tf.Tensor2D)))([
          increments,
          residual,
        ]);
      });
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([increments, residual]);
  });

  it('rejects inputs of the wrong shape, naming them', () => {
    const increments = tf.ones([2, 4, 4, 2]) as tf.Tensor4D;
    const residual = tf.zeros([2, 6]) as tf.Tensor2D;
    const three = tf.ones([2, 4, 4, 3]) as tf.Tensor4D;
    expect(() => integralAffineDisplacement(three, residual)).toThrow(
      'Error in integralAffineDisplacement: increments must have shape [N, H, W, 2], but got shape [2,4,4,3]',
    );
    const five = tf.zeros([2, 5]) as tf.Tensor2D;
    expect(() => integralAffineDisplacement(increments, five)).toThrow('affineResidual must have shape [N, 6]');
    const one = tf.zeros([1, 6]) as tf.Tensor2D;
    expect(() => integralAffineDisplacement(increments, one)).toThrow('must have the same batch size');
    tf.dispose([increments, residual, three, five, one]);
  });
});
