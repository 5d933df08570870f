import * as tf from '@tensorflow/tfjs-core';
import { APGD } from './apgd.js';
import { APGDT } from './apgd_t.js';
import { disposeResults, type Attack } from './attack.js';
import { AutoAttack } from './auto_attack.js';
import { BIM } from './bim.js';
import { CarliniWagnerL2 } from './cw.js';
import { FGSM } from './fgsm.js';
import { MIFGSM } from './mifgsm.js';
import type { Model } from './model.js';
import { PGD } from './pgd.js';
import { SquareAttack } from './square.js';
import { TransferAttack } from './transfer.js';
import { l2Distances, maxLinf, range } from './test-utils/checks.js';
import { setUpMnistAttack, type MnistFixture } from './test-utils/mnist_mlp.js';

let mnist: MnistFixture;
let model: Model;
let x: tf.Tensor4D;
let y: tf.Tensor1D;

beforeAll(async () => {
  ({ mnist, model, x, y } = await setUpMnistAttack(8));
});
afterAll(() => mnist.dispose());

// Small budgets: these tests check invariants, not strength.
const attacks: Array<[string, () => Attack]> = [
  ['FGSM', () => new FGSM()],
  ['BIM', () => new BIM({ steps: 3 })],
  ['PGD linf', () => new PGD({ steps: 3, restarts: 2 })],
  ['PGD l2', () => new PGD({ norm: 'l2', steps: 3, restarts: 2 })],
  ['MI-FGSM', () => new MIFGSM({ steps: 3 })],
  ['APGD linf', () => new APGD({ steps: 5, restarts: 2 })],
  ['APGD l2', () => new APGD({ norm: 'l2', steps: 5 })],
  ['APGD-DLR', () => new APGD({ loss: 'dlr', steps: 5, restarts: 2 })],
  ['APGD-T linf', () => new APGDT({ steps: 3, targetClasses: 2, restarts: 2 })],
  ['APGD-T l2', () => new APGDT({ norm: 'l2', steps: 3, targetClasses: 2 })],
  ['AutoAttack linf', () => new AutoAttack({ apgdSteps: 3, targetClasses: 2, squareQueries: 10 })],
  ['AutoAttack l2', () => new AutoAttack({ norm: 'l2', apgdSteps: 3, targetClasses: 2 })],
  ['CW-L2', () => new CarliniWagnerL2({ steps: 10, binarySearchSteps: 2 })],
  ['Square', () => new SquareAttack({ queries: 10 })],
  ['Transfer', () => new TransferAttack({ source: model, attack: new PGD({ steps: 2 }) })],
];

describe.each(attacks)('%s', (_name, make) => {
  test('epsilon 0 changes nothing; every adversarial is in the ball and the bounds', async () => {
    const attack = make();
    const epsilons = attack.norm === 'linf' ? [0, 0.05, 0.3] : [0, 0.5, 3];
    const results = await attack.run(model, x, y, { epsilons });
    expect(results.map((r) => r.epsilon)).toEqual(epsilons);
    expect(maxLinf(results[0].clipped, x)).toBe(0);
    if (!(attack instanceof CarliniWagnerL2)) expect(maxLinf(results[0].raw, x)).toBe(0);
    for (const r of results) {
      if (attack.norm === 'linf') {
        expect(maxLinf(r.clipped, x)).toBeLessThanOrEqual(r.epsilon + 1e-6);
      } else {
        l2Distances(r.clipped, x).forEach((d) => expect(d).toBeLessThanOrEqual(r.epsilon * (1 + 1e-5) + 1e-6));
      }
      const [lo, hi] = range(r.clipped);
      expect(lo).toBeGreaterThanOrEqual(0);
      expect(hi).toBeLessThanOrEqual(1);
      expect(r.success).toHaveLength(8);
      expect(r.robustAccuracy).toBeCloseTo(1 - r.success.reduce((a, b) => a + b, 0) / 8, 10);
    }
    disposeResults(results);
  });

  test('leaks no tensor per batch', async () => {
    const attack = make();
    const eps = attack.norm === 'linf' ? [0.1] : [1];
    disposeResults(await attack.run(model, x, y, { epsilons: eps }));
    const before = tf.memory().numTensors;
    for (let i = 0; i < 2; i++) {
      disposeResults(await attack.run(model, x, y, { epsilons: eps }));
      expect(tf.memory().numTensors).toBe(before);
    }
  });
});
