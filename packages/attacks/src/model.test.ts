import * as tf from '@tensorflow/tfjs-core';
import { disposeResults } from './attack.js';
import { FGSM } from './fgsm.js';
import { asModel } from './model.js';
import { pgdAdversarial } from './pgd.js';
import { useTestBackend } from './test-utils/backend.js';
import { linearModel } from './test-utils/linear.js';

beforeAll(useTestBackend);

// Images of 1 x 2 pixels with 3 channels (6 inputs, in NHWC order), 2 classes: rows are inputs, columns are classes.
const W = [
  [0.5, -1.0],
  [-2.0, 0.3],
  [1.5, 1.2],
  [0.0, -0.7],
  [0.8, 0.1],
  [-0.4, 0.6],
];
const B = [0.1, -0.2];
const MEAN = [0.5, 0.4, 0.3];
const STD = [0.25, 0.5, 2];
const X = [0.2, 0.5, 0.97, 0.6, 0.1, 0.45];
const channelOf = (i: number) => i % 3;

/** What the underlying function sees: (x - mean) / std per channel, worked out without tfjs. */
const normalized = (x: number[]) => x.map((v, i) => (v - MEAN[channelOf(i)]) / STD[channelOf(i)]);

describe('asModel with preprocessing', () => {
  it('gives the logits of the underlying function on normalized inputs, per channel and with scalars', () => {
    const f = linearModel(W, B);
    const x = tf.tensor4d([...X, ...X.map((v) => 1 - v)], [2, 1, 2, 3]);
    const expected = tf.tensor4d([...normalized(X), ...normalized(X.map((v) => 1 - v))], [2, 1, 2, 3]);
    const wrapped = asModel(f, { preprocessing: { mean: MEAN, std: STD } });
    const [got, want] = tf.tidy(() => [wrapped.logits(x), f(expected)]);
    expect(Array.from(got.dataSync()).map((v) => +v.toFixed(5))).toEqual(Array.from(want.dataSync()).map((v) => +v.toFixed(5)));

    const scalar = asModel(f, { preprocessing: { mean: 0.1307, std: 0.3081 } });
    const [a, b] = tf.tidy(() => [scalar.logits(x), f(tf.div(tf.sub(x, 0.1307), 0.3081) as tf.Tensor4D)]);
    expect(Array.from(a.dataSync()).map((v) => +v.toFixed(5))).toEqual(Array.from(b.dataSync()).map((v) => +v.toFixed(5)));
    // The bounds stay those of the pixels.
    expect(wrapped.bounds).toEqual([0, 1]);
    tf.dispose([x, expected, got, want, a, b]);
  });

  it('passes gradients through the normalization: d logit_k / dx = W_k / std per channel', () => {
    const model = asModel(linearModel(W, B), { preprocessing: { mean: MEAN, std: STD } });
    const x = tf.tensor4d(X, [1, 1, 2, 3]);
    for (const k of [0, 1]) {
      const grad = tf.grad((input) => tf.sum(tf.slice(model.logits(input as tf.Tensor4D), [0, k], [1, 1])))(x);
      const expected = W.map((row, i) => row[k] / STD[channelOf(i)]);
      Array.from(grad.dataSync()).forEach((g, i) => expect(g).toBeCloseTo(expected[i], 5));
      grad.dispose();
    }
    x.dispose();
  });

  it('keeps FGSM in pixel space: x + eps * sign(w_other - w_y), clipped to the pixel bounds', async () => {
    const model = asModel(linearModel(W, B), { preprocessing: { mean: MEAN, std: STD } });
    const x = tf.tensor4d([...X, ...X], [2, 1, 2, 3]);
    const epsilon = 0.1;
    const [result] = await new FGSM().run(model, x, [0, 1], { epsilons: [epsilon] });
    const step = (y: number) => X.map((v, i) => Math.min(1, Math.max(0, v + epsilon * Math.sign(W[i][1 - y] - W[i][y]))));
    const expected = [...step(0), ...step(1)];
    Array.from(result.clipped.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
    // Pixel 2 (0.97) of the second image moves up by 0.1 (w_0 - w_1 = 0.3 > 0) and stops at 1, the pixels' bound.
    expect(result.clipped.dataSync()[6 + 2]).toBeCloseTo(1, 6);
    disposeResults([result]);
    x.dispose();
  });

  it('takes L2 steps along the gradient of the normalized model, g_i = (w_other - w_y)_i / std', () => {
    const model = asModel(linearModel(W, B), { preprocessing: { mean: MEAN, std: STD } });
    const x = tf.tensor4d(X.map((v) => 0.5 + 0.1 * (v - 0.5)), [1, 1, 2, 3]);
    const stepSize = 0.05;
    const adv = pgdAdversarial(model, x, [0], { epsilon: 1, norm: 'l2', steps: 1, stepSize, randomStart: false });
    // For two classes the cross-entropy's input gradient is p_1 (w_1 - w_0) / std: its direction does not depend on p_1.
    const g = W.map((row, i) => (row[1] - row[0]) / STD[channelOf(i)]);
    const norm = Math.hypot(...g);
    const start = x.dataSync();
    Array.from(adv.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(start[i] + (stepSize * g[i]) / norm, 5));
    tf.dispose([x, adv]);
  });

  it('applies a wrapped model\'s normalization once when it is wrapped again with other bounds', () => {
    const f = linearModel(W, B);
    const inner = asModel(f, { preprocessing: { mean: MEAN, std: STD } });
    const outer = asModel(inner, { bounds: [-1, 2] });
    const x = tf.tensor4d(X, [1, 1, 2, 3]);
    const [a, b] = tf.tidy(() => [inner.logits(x), outer.logits(x)]);
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    expect(outer.bounds).toEqual([-1, 2]);
    tf.dispose([x, a, b]);
  });

  it('leaves no tensor behind, in a tidy and in an attack', async () => {
    const model = asModel(linearModel(W, B), { preprocessing: { mean: MEAN, std: STD } });
    const x = tf.tensor4d([...X, ...X], [2, 1, 2, 3]);
    const before = tf.memory().numTensors;
    tf.tidy(() => model.logits(x)).dispose();
    expect(tf.memory().numTensors).toBe(before);
    const results = await new FGSM().run(model, x, [0, 1], { epsilons: [0.05, 0.1] });
    disposeResults(results);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it('refuses a normalization that is not one', () => {
    const f = linearModel(W, B);
    const wrap = (preprocessing: unknown) => () => asModel(f, { preprocessing: preprocessing as never });
    expect(wrap(0.5)).toThrow('asModel: options.preprocessing must be an object { mean, std }, but got 0.5');
    expect(wrap({ std: 0 })).toThrow('asModel: options.preprocessing.std must be a finite number > 0, but got 0');
    expect(wrap({ std: -1 })).toThrow('options.preprocessing.std must be a finite number > 0, but got -1');
    expect(wrap({ mean: NaN })).toThrow('options.preprocessing.mean must be a finite number, but got NaN');
    expect(wrap({ std: [0.2, 0, 0.3] })).toThrow('options.preprocessing.std[1] must be one of finite numbers > 0, but got 0');
    expect(wrap({ mean: [0.1, Infinity] })).toThrow('options.preprocessing.mean[1] must be one of finite numbers, but got Infinity');
    expect(wrap({ mean: [] })).toThrow('options.preprocessing.mean must be a number or a non-empty array of finite numbers, one per channel, but got []');
    expect(wrap({ mean: [0.1, 0.2, 0.3], std: [0.2, 0.3] })).toThrow(
      'asModel: options.preprocessing: mean has 3 channels but std has 2; give both per channel, or one as a number',
    );
  });

  it("refuses an input whose channels are not the normalization's, naming both", () => {
    const model = asModel(linearModel([[1, 0], [0, 1]], [0, 0]), { preprocessing: { mean: MEAN, std: 0.5 } });
    const x = tf.zeros([1, 1, 2, 1]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    expect(() => model.logits(x)).toThrow(
      'model: preprocessing has 3 channels (mean and std per channel) but the input has 1 (shape [1,1,2,1]); its last axis must match',
    );
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
