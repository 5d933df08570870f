import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { DdarAdamStep, initBackend } from '@ddar/backend';
import { applyFusedAdam } from './fused_adam.js';
import { applyGradients } from './training_step.js';

/** Variables of awkward sizes (a SIMD tail, a scalar, an empty one) with seeded values. */
let made = 0;
function variables(seed: number): tf.Variable[] {
  made++;
  return [[3, 5, 7], [1], [0, 4], [130], [33, 17]].map((shape, i) =>
    tf.tidy(() => tf.variable(tf.randomNormal(shape, 0, 1, 'float32', seed + i), true, `fused_adam_${made}_${i}`)),
  );
}

/** Gradients of step `step`, the same for both runs (seeds from 1000: tfjs treats seed 0 as unseeded); some huge, some tiny, some exactly zero. */
function gradients(vars: tf.Variable[], step: number): tf.Tensor[] {
  return vars.map((variable, i) =>
    tf.tidy(() => {
      const g = tf.randomNormal(variable.shape, 0, 1, 'float32', 1000 + 100 * step + i);
      const scale = [1, 1e6, 1e-6, 0, 3][i];
      return tf.mul(g, scale);
    }),
  );
}

const bits = (tensor: tf.Tensor) => Array.from(new Uint32Array(new Float32Array(tensor.dataSync()).buffer));

describe('applyFusedAdam', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', log: false });
  });

  test('is bit-identical to tfjs AdamOptimizer over 20 steps: weights, moments, bias corrections, iterations', async () => {
    const stock = tf.train.adam(0.01, 0.9, 0.999, 1e-7);
    const fused = tf.train.adam(0.01, 0.9, 0.999, 1e-7);
    const stockVars = variables(1);
    const fusedVars = variables(1);
    stockVars.forEach((variable, i) => expect(bits(fusedVars[i])).toEqual(bits(variable)));
    for (let step = 0; step < 20; step++) {
      (fused as unknown as { learningRate: number }).learningRate = 0.01 / (1 + step);
      (stock as unknown as { learningRate: number }).learningRate = 0.01 / (1 + step);
      const stockGrads = gradients(stockVars, step);
      stock.applyGradients(stockVars.map((variable, i) => ({ name: variable.name, tensor: stockGrads[i] })));
      tf.dispose(stockGrads);
      const grads = gradients(fusedVars, step);
      expect(applyFusedAdam(fused, fusedVars, grads)).toBe(true);
      tf.dispose(grads);
    }
    stockVars.forEach((variable, i) => expect(bits(fusedVars[i])).toEqual(bits(variable)));
    expect(fused.iterations).toBe(stock.iterations);
    const [stockState, fusedState] = [await stock.getWeights(), await fused.getWeights()];
    const withoutRun = (name: string) => name.replace(/fused_adam_\d+_/, '');
    expect(fusedState.map((w) => withoutRun(w.name))).toEqual(stockState.map((w) => withoutRun(w.name)));
    stockState.forEach((weight, i) => expect(bits(fusedState[i].tensor)).toEqual(bits(weight.tensor)));
    tf.dispose([...stockVars, ...fusedVars]);
    stock.dispose();
    fused.dispose();
  });

  test('leaves other optimizers and backends to tfjs', async () => {
    const sgd = tf.train.sgd(0.1);
    const vars = variables(2);
    const grads = gradients(vars, 0);
    expect(applyFusedAdam(sgd, vars, grads)).toBe(false);
    await tf.setBackend('cpu');
    expect(tf.getKernel(DdarAdamStep, 'cpu')).toBeUndefined();
    const adam = tf.train.adam(0.01);
    const cpuVars = variables(3);
    const cpuGrads = gradients(cpuVars, 0);
    expect(applyFusedAdam(adam, cpuVars, cpuGrads)).toBe(false);
    tf.dispose([...cpuVars, ...cpuGrads]);
    adam.dispose();
    await tf.setBackend('wasm');
    tf.dispose([...vars, ...grads]);
    sgd.dispose();
  });

  test('does not leak across steps', () => {
    const adam = tf.train.adam(0.01);
    const vars = variables(4);
    applyGradients(adam, vars, gradients(vars, 0));
    const before = tf.memory().numTensors;
    for (let step = 1; step < 10; step++) applyGradients(adam, vars, gradients(vars, step));
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(vars);
    adam.dispose();
  });

  test('names a mismatched gradient', () => {
    const adam = tf.train.adam(0.01);
    const vars = variables(5);
    const wrong = vars.map((variable) => tf.zeros([...variable.shape, 2]));
    expect(() => applyFusedAdam(adam, vars, wrong)).toThrow(/DdarAdamStep: gradient must have the shape of value/);
    tf.dispose([...vars, ...wrong]);
    adam.dispose();
  });
});
