import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@ddar/backend';
import { appearanceDecoder } from './appearance_decoder.js';
import { planDecoder } from './decoder_plan.js';
import { geometricDecoder } from './geometric_decoder.js';
import { appearanceHead, defaultCodeSizes, geometricHead } from './heads.js';

describe('planDecoder', () => {
  it.each([
    [[28, 28, 1], 2, { baseHeight: 7, baseWidth: 7, upsamplings: 2 }],
    [[32, 32, 3], 2, { baseHeight: 8, baseWidth: 8, upsamplings: 2 }],
    [[32, 32, 3], 3, { baseHeight: 4, baseWidth: 4, upsamplings: 3 }],
    [[30, 28, 1], 2, { baseHeight: 15, baseWidth: 14, upsamplings: 1 }],
    [[27, 28, 1], 2, { baseHeight: 27, baseWidth: 28, upsamplings: 0 }],
  ] as const)('plans %j with at most %i upsamplings', (shape, max, plan) => {
    expect(planDecoder([...shape] as [number, number, number], max)).toEqual(plan);
  });
});

describe('decoders and heads', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', log: false });
  });

  it.each([
    [[28, 28, 1]],
    [[32, 32, 3]],
    [[27, 30, 2]],
  ] as const)('appearanceDecoder makes a %j image in (0, 1)', (shape) => {
    const decoder = appearanceDecoder({ outputShape: [...shape] as [number, number, number], width: 8, name: 'a', seed: 1 });
    const code = tf.randomNormal([2, 12], 0, 10, 'float32', 1);
    const image = decoder.run(code);
    expect(image.shape).toEqual([2, ...shape]);
    const [lo, hi] = tf.tidy(() => [tf.min(image).dataSync()[0], tf.max(image).dataSync()[0]]);
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThanOrEqual(1);
    expect(hi).toBeGreaterThan(lo);
    tf.dispose([code, image]);
    decoder.layers.forEach((layer) => layer.dispose());
  });

  it.each([true, false])('geometricDecoder (lowResolution %s) makes a 2-channel field bounded by maxDisplacement', (lowResolution) => {
    const decoder = geometricDecoder({ outputShape: [28, 28, 1], maxDisplacement: 2.5, lowResolution, width: 8, name: 'g', seed: 2 });
    const gentle = tf.randomNormal([2, 6], 0, 1, 'float32', 3);
    const field = decoder.run(gentle);
    expect(field.shape).toEqual([2, 28, 28, 2]);
    // Small initial field: the warp starts near the identity.
    expect(tf.tidy(() => tf.max(tf.abs(field)).dataSync()[0])).toBeLessThan(0.25);
    // Saturate the tanh through the last layer: the bound holds whatever the code.
    const last = decoder.layers.find((layer) => layer.name === 'g_field')!;
    const [kernel, bias] = last.getWeights();
    last.setWeights([tf.fill(kernel.shape, 100), bias]);
    const extreme = decoder.run(tf.mul(gentle, 100));
    const largest = tf.tidy(() => tf.max(tf.abs(extreme)).dataSync()[0]);
    expect(largest).toBeLessThanOrEqual(2.5 + 1e-5);
    expect(largest).toBeGreaterThan(2.4);
    tf.dispose([gentle, field, extreme]);
    decoder.layers.forEach((layer) => layer.dispose());
  });

  it('low-resolution fields are bilinear upsamplings: neighbouring displacements differ little', () => {
    const decoder = geometricDecoder({ outputShape: [28, 28, 1], maxDisplacement: 3, width: 8, name: 'smooth', seed: 4 });
    decoder.run(tf.zeros([1, 6])).dispose(); // builds the layers, so that their weights exist
    const last = decoder.layers.find((layer) => layer.name === 'smooth_field')!;
    last.setWeights(last.getWeights().map((w, i) => (i === 0 ? tf.randomNormal(w.shape, 0, 20, 'float32', 5) : w)));
    const field = decoder.run(tf.randomNormal([1, 6], 0, 50, 'float32', 6));
    const [largest, largestStep] = tf.tidy(() => {
      const step = tf.abs(tf.sub(tf.slice(field, [0, 0, 1, 0], [1, 28, 27, 2]), tf.slice(field, [0, 0, 0, 0], [1, 28, 27, 2])));
      return [tf.max(tf.abs(field)).dataSync()[0], tf.max(step).dataSync()[0]];
    });
    // A 7 x 7 field upsampled 4x: one pixel step is at most a quarter of a base-grid step (<= 2 * 3).
    expect(largest).toBeGreaterThan(1);
    expect(largestStep).toBeLessThanOrEqual((2 * 3) / 4 + 1e-5);
    field.dispose();
    decoder.layers.forEach((layer) => layer.dispose());
  });

  it('heads are dense layers of the requested size, with documented defaults', () => {
    expect(defaultCodeSizes([28, 28, 1])).toEqual({ dA: 8, dG: 64 });
    expect(defaultCodeSizes([32, 32, 3])).toEqual({ dA: 64, dG: 128 });
    expect(defaultCodeSizes([28, 28, 1], 'displacement')).toEqual({ dA: 64, dG: 16 });
    expect(defaultCodeSizes([32, 32, 3], 'displacement')).toEqual({ dA: 128, dG: 32 });
    const head = appearanceHead({ size: 5, name: 'za' });
    const x = tf.ones([3, 7]);
    const z = head.apply(x) as tf.Tensor;
    expect(z.shape).toEqual([3, 5]);
    expect(() => geometricHead({ size: 2.5, name: 'zg' })).toThrow('Error in geometricHead: options.size must be a positive integer, but got 2.5');
    tf.dispose([x, z]);
    head.dispose();
  });

  it('validates decoder options', () => {
    expect(() => appearanceDecoder({ outputShape: [28, 28] as never, name: 'x' })).toThrow(
      'Error in appearanceDecoder: options.outputShape must be [height, width, channels] of positive integers, but got [28,28]',
    );
    expect(() => geometricDecoder({ outputShape: [28, 28, 1], maxDisplacement: 0, name: 'x' })).toThrow(
      'Error in geometricDecoder: options.maxDisplacement must be a positive number, but got 0',
    );
  });
});
