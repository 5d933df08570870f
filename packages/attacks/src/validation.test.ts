import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { APGD } from './apgd.js';
import { CarliniWagnerL2 } from './cw.js';
import { FGSM, fgsmAdversarial } from './fgsm.js';
import { asModel, type Model } from './model.js';
import { PGD, pgdAdversarial } from './pgd.js';
import { SquareAttack } from './square.js';
import { useTestBackend } from './test-utils/backend.js';
import { linearModel } from './test-utils/linear.js';


const W = [
  [1, -1, 0.5],
  [0.2, 0.3, -0.4],
  [-0.5, 0.1, 0.2],
  [0.3, 0.3, 0.3],
];
let model: Model;
let x: tf.Tensor4D;
beforeAll(async () => {
  await useTestBackend();
  model = asModel(linearModel(W, [0, 0, 0]));
});
beforeEach(() => {
  x = tf.tensor4d([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8], [2, 2, 2, 1]);
});
afterEach(() => x.dispose());

describe('bad input is rejected with errors naming the argument', () => {
  test('epsilons: negative, NaN, infinite (for fixed-budget attacks), empty', async () => {
    await expect(new FGSM().run(model, x, [0, 1], { epsilons: [0.1, -0.1] })).rejects.toThrow(
      'FGSM: epsilons[1] must be a finite number >= 0, but got -0.1',
    );
    await expect(new PGD().run(model, x, [0, 1], { epsilons: [NaN] })).rejects.toThrow('PGD: epsilons[0] must be a finite number >= 0, but got NaN');
    await expect(new PGD().run(model, x, [0, 1], { epsilons: [Infinity] })).rejects.toThrow(/epsilons\[0\].*Infinity/);
    await expect(new FGSM().run(model, x, [0, 1], { epsilons: [] })).rejects.toThrow('FGSM: epsilons must be a non-empty array');
    expect(() => pgdAdversarial(model, x, [0, 1], { epsilon: -1 })).toThrow('pgdAdversarial: options.epsilon must be a finite number >= 0, but got -1');
    // CW is a minimization attack: Infinity means "no clipping" and is allowed.
    const cw = new CarliniWagnerL2({ steps: 1, binarySearchSteps: 1 });
    await expect(cw.run(model, x, [0, 1], { epsilons: [NaN] })).rejects.toThrow('CW-L2: epsilons[0] must be a number >= 0, but got NaN');
  });

  test('inputs: NaN, outside the bounds, wrong rank or dtype', async () => {
    const nan = tf.tensor4d([0.1, NaN, 0.3, 0.4], [1, 2, 2, 1]);
    await expect(new FGSM().run(model, nan, [0], { epsilons: [0.1] })).rejects.toThrow('FGSM: inputs contain 1 NaN value(s)');
    const outside = tf.tensor4d([0.1, 1.5, 0.3, -0.2], [1, 2, 2, 1]);
    await expect(new PGD().run(model, outside, [0], { epsilons: [0.1] })).rejects.toThrow(
      'PGD: inputs must lie within the model bounds [0, 1], but range over [-0.20000000298023224, 1.5]',
    );
    // The same inputs are fine for a model declared on [-1, 2].
    const wide = asModel(linearModel(W, [0, 0, 0]), { bounds: [-1, 2] });
    const ok = await new FGSM().run(wide, outside, [0], { epsilons: [0.1] });
    ok.forEach((r) => tf.dispose([r.raw, r.clipped]));
    const rank3 = tf.zeros([2, 2, 1]);
    await expect(new FGSM().run(model, rank3 as never, [0, 1], { epsilons: [0.1] })).rejects.toThrow(
      'FGSM: inputs must be rank 4 [N, H, W, C], but got rank 3 with shape [2,2,1]',
    );
    const ints = tf.zeros([1, 2, 2, 1], 'int32');
    expect(() => fgsmAdversarial(model, ints as tf.Tensor4D, [0], { epsilon: 0.1 })).toThrow('fgsmAdversarial: inputs must be float32, but got int32');
    tf.dispose([nan, outside, rank3, ints]);
  });

  test('labels and targets: wrong length, out of range, non-integer, wrong rank', async () => {
    await expect(new FGSM().run(model, x, [0], { epsilons: [0.1] })).rejects.toThrow('FGSM: labels must have one entry per input (2), but got 1');
    await expect(new FGSM().run(model, x, [0, 3], { epsilons: [0.1] })).rejects.toThrow(
      'FGSM: labels[1] must be an integer class index in [0, 2], but got 3',
    );
    await expect(new FGSM().run(model, x, [0, -1], { epsilons: [0.1] })).rejects.toThrow('labels[1] must be an integer class index in [0, 2], but got -1');
    await expect(new FGSM().run(model, x, [0.5, 1], { epsilons: [0.1] })).rejects.toThrow('labels[0] must be an integer class index');
    const rank2 = tf.tensor2d([[0], [1]], [2, 1], 'int32');
    await expect(new FGSM().run(model, x, rank2 as never, { epsilons: [0.1] })).rejects.toThrow('FGSM: labels must be rank 1 [N], but got rank 2');
    await expect(new PGD().run(model, x, [0, 1], { epsilons: [0.1], targets: [5, 0] })).rejects.toThrow(
      'PGD: options.targets[0] must be an integer class index in [0, 2], but got 5',
    );
    await expect(new APGD().run(model, x, [0, 1], { epsilons: [0.1], targets: [1, 0] })).rejects.toThrow(
      'APGD-CE: options.targets given, but this attack has no targeted variant',
    );
    rank2.dispose();
  });

  test('bounds: inverted, empty, not finite', () => {
    const fn = linearModel(W, [0, 0, 0]);
    expect(() => asModel(fn, { bounds: [1, 0] })).toThrow('asModel: bounds must satisfy low < high, but got [1, 0] (inverted or empty)');
    expect(() => asModel(fn, { bounds: [0, 0] })).toThrow('asModel: bounds must satisfy low < high, but got [0, 0]');
    expect(() => asModel(fn, { bounds: [0, Infinity] })).toThrow('asModel: bounds must be two finite numbers, but got [0, Infinity]');
    expect(() => pgdAdversarial(fn, x, [0, 1], { epsilon: 0.1, bounds: [1, 0] })).toThrow(/bounds must satisfy low < high/);
  });

  test('a model returning the wrong shape', async () => {
    const flat = asModel((input: tf.Tensor4D) => tf.reshape(input, [-1]) as unknown as tf.Tensor2D);
    await expect(new FGSM().run(flat, x, [0, 1], { epsilons: [0.1] })).rejects.toThrow(
      'model: must return logits of shape [N, numClasses] with N = 2 and numClasses >= 2, but returned shape [8]',
    );
    const oneRow = asModel(() => tf.ones([1, 3]) as tf.Tensor2D);
    await expect(new FGSM().run(oneRow, x, [0, 1], { epsilons: [0.1] })).rejects.toThrow('with N = 2');
    const scalarClass = asModel((input: tf.Tensor4D) => tf.ones([input.shape[0], 1]) as tf.Tensor2D);
    await expect(new FGSM().run(scalarClass, x, [0, 1], { epsilons: [0.1] })).rejects.toThrow('returned shape [2,1]');
  });

  test('attack configs', () => {
    expect(() => new PGD({ steps: 0 })).toThrow('PGD: config.steps must be a positive integer, but got 0');
    expect(() => new PGD({ norm: 'l1' as never })).toThrow("PGD: config.norm must be 'linf' or 'l2', but got 'l1'");
    expect(() => new APGD({ momentum: 1.5 })).toThrow('APGD-CE: config.momentum must be a number in [0, 1], but got 1.5');
    expect(() => new CarliniWagnerL2({ confidence: -1 })).toThrow('CW-L2: config.confidence must be a finite number >= 0, but got -1');
    expect(() => new SquareAttack({ pInit: 2 })).toThrow('Square: config.pInit must be a number in [0, 1], but got 2');
    expect(() => new SquareAttack({ seed: NaN })).toThrow('Square: seed must be a finite number, but got NaN');
  });
});

describe('asModel', () => {
  test('wraps a tf.LayersModel; its gradients flow like a plain function', () => {
    const seq = tfl.sequential({
      layers: [tfl.layers.flatten({ inputShape: [2, 2, 1] }), tfl.layers.dense({ units: 3, useBias: false })],
    });
    seq.layers[1].setWeights([tf.tensor2d(W)]);
    const wrapped = asModel(seq);
    const plain = model;
    const gWrapped = tf.grad((v) => tf.sum(tf.mul(wrapped.logits(v as tf.Tensor4D), tf.tensor1d([1, -2, 3]))))(x);
    const gPlain = tf.grad((v) => tf.sum(tf.mul(plain.logits(v as tf.Tensor4D), tf.tensor1d([1, -2, 3]))))(x);
    expect(Array.from(gWrapped.dataSync())).toEqual(Array.from(gPlain.dataSync()));
    tf.dispose([gWrapped, gPlain]);
    seq.dispose();
  });

  test("output 'probabilities' turns softmax outputs into logits with the same softmax", () => {
    const probs = asModel((input: tf.Tensor4D) => tf.softmax(model.logits(input)), { output: 'probabilities' });
    const [a, b] = [tf.softmax(probs.logits(x)), tf.softmax(model.logits(x))];
    Array.from(a.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(b.dataSync()[i], 5));
    tf.dispose([a, b]);
  });

  test('keeps bounds of an already wrapped model unless told otherwise', () => {
    const m = asModel(linearModel(W, [0, 0, 0]), { bounds: [-1, 1] });
    expect(asModel(m)).toBe(m);
    expect(asModel(m, { bounds: [0, 255] }).bounds).toEqual([0, 255]);
    expect(() => asModel(42 as never)).toThrow('asModel: model must be a function (x) => logits, an object with predict(), or a wrapped model, but got number');
  });
});
