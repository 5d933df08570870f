import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@ddar/backend';
import { DDARModel } from './ddar_model.js';
import { swapCodes } from './swap_codes.js';
import { maxAbsDifference, randomBatch } from './test-utils/fixtures.js';

describe('swapCodes', () => {
  let model: DDARModel;

  beforeAll(async () => {
    await initBackend({ backend: 'wasm', log: false });
    model = DDARModel.create({
      backboneName: 'smallCnn',
      backboneOptions: { width: 0.25, embeddingSize: 32 },
      inputShape: [28, 28, 1],
      numClasses: 10,
      decoderWidth: 8,
      seed: 3,
    });
  });

  afterAll(() => model.dispose());

  it("draws A's template with B's displacement field", () => {
    const a = randomBatch(3, [28, 28, 1], 10, 1).images;
    const b = randomBatch(3, [28, 28, 1], 10, 2).images;
    const swapped = swapCodes(model, a, b);
    const ofA = model.reconstruct(a);
    const ofB = model.reconstruct(b);
    expect(maxAbsDifference(swapped.template, ofA.template)).toBeLessThan(1e-6);
    expect(maxAbsDifference(swapped.displacement, ofB.displacement)).toBeLessThan(1e-6);
    // Neither of the two plain reconstructions: the swap really mixes the codes.
    expect(maxAbsDifference(swapped.reconstruction, ofA.reconstruction)).toBeGreaterThan(0);
    expect(maxAbsDifference(swapped.displacement, ofA.displacement)).toBeGreaterThan(0);
    const self = swapCodes(model, a, a);
    expect(maxAbsDifference(self.reconstruction, ofA.reconstruction)).toBeLessThan(1e-6);
    tf.dispose([a, b, ...Object.values(swapped), ...Object.values(ofA), ...Object.values(ofB), ...Object.values(self)]);
  });

  it('leaks nothing but its outputs', () => {
    const a = randomBatch(2, [28, 28, 1], 10, 3).images;
    const before = tf.memory().numTensors;
    const swapped = swapCodes(model, a, a);
    // Template, displacement, reconstruction, and the integral warp's increments and affine residual.
    expect(Object.keys(swapped)).toHaveLength(5);
    expect(tf.memory().numTensors).toBe(before + 5);
    tf.dispose([a, ...Object.values(swapped)]);
  });

  it('rejects batches of different sizes', () => {
    const a = tf.zeros([2, 28, 28, 1]) as tf.Tensor4D;
    const b = tf.zeros([3, 28, 28, 1]) as tf.Tensor4D;
    expect(() => swapCodes(model, a, b)).toThrow(
      'Error in swapCodes: appearanceImages [2,28,28,1] and geometryImages [3,28,28,1] must have the same batch size',
    );
    tf.dispose([a, b]);
  });
});
