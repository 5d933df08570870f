import * as tf from '@tensorflow/tfjs-core';
import { adamStepInto } from './AdamStep.js';
import { DdarAdamStep as ADAM_STEP, type DdarAdamStepAttrs as AdamStepAttrs } from './fused_kernel_names.js';
import { registerWasmFusedKernels } from './register_fused_kernels.js';
import { leakAfterRepeats, prepareBackends, seededValues } from './test-utils/backends.js';

const ATTRS: AdamStepAttrs = { beta1: 0.9, beta2: 0.999, epsilon: 1e-7, learningRate: 0.003, oneMinusAccBeta1: Math.fround(1 - 0.729), oneMinusAccBeta2: Math.fround(1 - 0.997002999) };

/** tfjs-core's AdamOptimizer arithmetic for one variable, op by op. */
function adamByOps(w: tf.Tensor, m: tf.Tensor, v: tf.Tensor, g: tf.Tensor, a: AdamStepAttrs): tf.Tensor[] {
  return tf.tidy(() => {
    const newM = tf.add(tf.mul(m, a.beta1), tf.mul(g, 1 - a.beta1));
    const newV = tf.add(tf.mul(v, a.beta2), tf.mul(tf.square(g), 1 - a.beta2));
    const mHat = tf.div(newM, a.oneMinusAccBeta1);
    const vHat = tf.div(newV, a.oneMinusAccBeta2);
    const newW = tf.add(tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), a.epsilon)), -a.learningRate), w);
    return [newW, newM, newV];
  });
}

const bits = (values: ArrayLike<number>) => Array.from(new Uint32Array(Float32Array.from(values).buffer));

beforeAll(async () => {
  await prepareBackends();
  registerWasmFusedKernels();
  await tf.setBackend('wasm');
});

describe(`${ADAM_STEP} on wasm`, () => {
  test.each([[1], [3], [4], [7, 5], [64, 1568], [0]])('is bit-identical to the optimizer op by op, shape [%s]', (...shape) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const make = (seed: number, scale: number) => tf.tensor(Float32Array.from(seededValues(size, seed), (x) => x * scale), shape);
    const [w, m, v, g] = [make(1, 1), make(2, 0.1), tf.abs(make(3, 0.01)), make(4, 2)];
    const fused = tf.engine().runKernel(ADAM_STEP, { value: w, firstMoment: m, secondMoment: v, gradient: g }, ATTRS as unknown as tf.NamedAttrMap) as tf.Tensor[];
    const expected = adamByOps(w, m, v, g, ATTRS);
    fused.forEach((tensor, i) => expect(bits(tensor.dataSync())).toEqual(bits(expected[i].dataSync())));
    // The JavaScript loop used where WebAssembly SIMD is missing gives the same bits.
    const out = [new Float32Array(size), new Float32Array(size), new Float32Array(size)];
    const f = Math.fround;
    const constants = [f(0.9), f(0.999), f(1 - 0.9), f(1 - 0.999), f(ATTRS.oneMinusAccBeta1), f(ATTRS.oneMinusAccBeta2), f(-0.003), f(1e-7)];
    adamStepInto(...([w, m, v, g].map((t) => t.dataSync() as Float32Array) as [Float32Array, Float32Array, Float32Array, Float32Array]), out[0], out[1], out[2], constants);
    out.forEach((values, i) => expect(bits(values)).toEqual(bits(expected[i].dataSync())));
    tf.dispose([w, m, v, g, ...fused, ...expected]);
  });

  test('names the argument on bad input', () => {
    const w = tf.zeros([4]);
    const short = tf.zeros([3]);
    const ints = tf.zeros([4], 'int32');
    const run = (inputs: Record<string, tf.Tensor>) => () => tf.engine().runKernel(ADAM_STEP, { value: w, firstMoment: w, secondMoment: w, gradient: w, ...inputs }, ATTRS as unknown as tf.NamedAttrMap);
    expect(run({ gradient: short })).toThrow(/DdarAdamStep: gradient must have the shape of value \[4\], but got \[3\]/);
    expect(run({ secondMoment: ints })).toThrow(/DdarAdamStep: secondMoment must have dtype float32, but got int32/);
    tf.dispose([w, short, ints]);
  });

  test('leaks no tensors, data ids or heap over 100 calls', async () => {
    const w = tf.ones([1000]);
    const leak = await leakAfterRepeats(() =>
      tf.dispose(tf.engine().runKernel(ADAM_STEP, { value: w, firstMoment: w, secondMoment: w, gradient: w }, ATTRS as unknown as tf.NamedAttrMap) as tf.Tensor[]),
    );
    expect(leak).toEqual({ tensors: 0, dataIds: 0, heapBytes: 0 });
    w.dispose();
  });
});
