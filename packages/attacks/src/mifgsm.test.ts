import * as tf from '@tensorflow/tfjs-core';
import { disposeResults } from './attack.js';
import { BIM } from './bim.js';
import { FGSM } from './fgsm.js';
import { MIFGSM } from './mifgsm.js';
import type { Model } from './model.js';
import { maxLinf } from './test-utils/checks.js';
import { setUpMnistAttack, type MnistFixture } from './test-utils/mnist_mlp.js';

let mnist: MnistFixture;
let model: Model;
let x: tf.Tensor4D;
let y: tf.Tensor1D;

beforeAll(async () => {
  ({ mnist, model, x, y } = await setUpMnistAttack(60));
});
afterAll(() => mnist.dispose());

describe('MI-FGSM', () => {
  test('with one step it is FGSM: the L1 normalization does not change the sign', async () => {
    const [mi] = await new MIFGSM({ steps: 1 }).run(model, x, y, { epsilons: [0.1] });
    const [fgsm] = await new FGSM().run(model, x, y, { epsilons: [0.1] });
    expect(maxLinf(mi.clipped, fgsm.clipped)).toBeLessThan(1e-6);
    disposeResults([mi, fgsm]);
  });

  test('with decay 0 it is BIM with step eps / T: momentum is the only difference', async () => {
    const [mi] = await new MIFGSM({ steps: 5, decay: 0 }).run(model, x, y, { epsilons: [0.1] });
    const [bim] = await new BIM({ steps: 5, relStepSize: 1 / 5 }).run(model, x, y, { epsilons: [0.1] });
    expect(maxLinf(mi.clipped, bim.clipped)).toBeLessThan(1e-6);
    disposeResults([mi, bim]);
  });

  test('with momentum it differs from BIM, stays in the ball, and beats FGSM', async () => {
    const epsilons = [0.1, 0.2];
    const mi = await new MIFGSM({ steps: 10 }).run(model, x, y, { epsilons });
    const [bim] = await new BIM({ steps: 10, relStepSize: 1 / 10 }).run(model, x, y, { epsilons: [0.1] });
    const fgsm = await new FGSM().run(model, x, y, { epsilons });
    expect(maxLinf(mi[0].clipped, bim.clipped)).toBeGreaterThan(0);
    mi.forEach((r, e) => {
      expect(maxLinf(r.clipped, x)).toBeLessThanOrEqual(epsilons[e] + 1e-6);
      expect(r.robustAccuracy).toBeLessThanOrEqual(fgsm[e].robustAccuracy);
    });
    disposeResults([...mi, bim, ...fgsm]);
  });
});
