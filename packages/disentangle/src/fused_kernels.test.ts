import * as tf from '@tensorflow/tfjs-core';
// tfjs-core's Node build registers no gradients; tfjs-layers' does (see warp.test.ts).
import '@tensorflow/tfjs-layers';
import * as backend from '@ddar/backend';
import { DDARModel } from './ddar_model.js';
import { FUSED_KERNEL_NAMES, hasFusedKernel } from './fused_kernels.js';
import { integralAffineDisplacement } from './integral_warp.js';
import { warp } from './warp.js';
import { randomBatch } from './test-utils/fixtures.js';

// The fused kernels (wasm, registered by @ddar/backend) against the composite ops they replace, run on the cpu
// backend, which has no fused kernel: forward values and both gradients of a weighted sum.

/** Deterministic values in [low, high). */
function sequence(length: number, seed: number, low: number, high: number): Float32Array {
  let state = seed >>> 0;
  return Float32Array.from({ length }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return low + ((state >>> 8) / 2 ** 24) * (high - low);
  });
}

/**
 * Displacements reaching up to two pixels beyond the image on either side, with every kind of special value spread
 * through them: whole pixels (sample points on grid lines), zeros, NaN, ±Infinity and huge finite values.
 */
function displacementValues(n: number, h: number, w: number, seed: number, special: boolean): Float32Array {
  const values = sequence(n * h * w * 2, seed, -1, 1);
  for (let i = 0; i < values.length; i++) {
    values[i] *= (i % 2 === 0 ? w : h) / 2 + 2;
    if (i % 5 === 0) values[i] = Math.round(values[i]);
    if (i % 11 === 0) values[i] = 0;
    if (!special) continue;
    if (i % 31 === 3) values[i] = NaN;
    if (i % 37 === 4) values[i] = Infinity;
    if (i % 41 === 5) values[i] = -Infinity;
    if (i % 43 === 6) values[i] = i % 2 === 0 ? 1e30 : -1e30;
  }
  return values;
}

/** Runs `compute` on a backend, returning every output's values. */
async function valuesOn(backendName: 'cpu' | 'wasm', compute: () => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backendName);
  const outputs = tf.tidy(compute);
  const values = outputs.map((t) => t.dataSync() as Float32Array);
  tf.dispose(outputs);
  return values;
}

/** Kernel names run by `compute` (nested ones included). */
async function kernelsRun(compute: () => tf.Tensor[]): Promise<string[]> {
  const profile = await tf.profile(() => compute());
  return profile.kernels.map((k) => k.name);
}

const RELATIVE = 1e-4;
const ABSOLUTE = 1e-5;

/** Same NaN and infinite entries; finite ones within RELATIVE of the reference or ABSOLUTE of it. */
function expectClose(actual: Float32Array, expected: Float32Array, what: string): void {
  expect(actual.length).toBe(expected.length);
  const bad: string[] = [];
  for (let i = 0; i < expected.length && bad.length < 5; i++) {
    const [a, e] = [actual[i], expected[i]];
    const ok = Number.isFinite(e) ? Math.abs(a - e) <= Math.max(ABSOLUTE, RELATIVE * Math.abs(e)) : Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e));
    if (!ok) bad.push(`${what}[${i}]: fused ${a}, composite ${e}`);
  }
  expect(bad).toEqual([]);
}

type Shape4 = [number, number, number, number];

const WARP_SHAPES: Array<{ label: string; shape: Shape4 }> = [
  { label: '1 pixel', shape: [1, 1, 1, 1] },
  { label: 'one row (H = 1), 3 channels', shape: [2, 1, 9, 3] },
  { label: 'one column (W = 1)', shape: [3, 7, 1, 1] },
  { label: '7x9, 3 channels', shape: [5, 7, 9, 3] },
  { label: '9x7', shape: [4, 9, 7, 1] },
  { label: 'MNIST 28x28', shape: [8, 28, 28, 1] },
  { label: 'CIFAR 32x32x3', shape: [2, 32, 32, 3] },
  { label: 'a DDAR batch, 64 x 28x28', shape: [64, 28, 28, 1] },
];

const WARP_CASES = WARP_SHAPES.flatMap(({ label, shape }) =>
  (['zeros', 'clamp'] as const).flatMap((border) =>
    [false, true].map((special) => ({ label, shape, border, special })),
  ),
);

describe('fused kernels against the composite ops on cpu', () => {
  beforeAll(async () => {
    await backend.initBackend({ backend: 'wasm', log: false });
    await tf.setBackend('cpu');
  });

  afterAll(async () => {
    backend.registerWasmFusedKernels();
    await tf.setBackend('wasm');
  });

  it("spells @ddar/backend's kernel names", () => {
    expect(FUSED_KERNEL_NAMES).toEqual({
      bilinearWarp: backend.DdarBilinearWarp,
      bilinearWarpGrad: backend.DdarBilinearWarpGrad,
      integralAffineDisplacement: backend.DdarIntegralAffineDisplacement,
      integralAffineDisplacementGrad: backend.DdarIntegralAffineDisplacementGrad,
    });
    // Every geometry kernel backend registers (the others, such as the Adam step, belong to other packages).
    const geometryKernels = backend.WASM_FUSED_KERNELS.map((k) => k.kernelName).filter((name) => name !== backend.DdarAdamStep);
    expect(geometryKernels.sort()).toEqual(Object.values(FUSED_KERNEL_NAMES).sort());
  });

  it('are used on wasm, forward and backward, and not on cpu', async () => {
    const compute = () => {
      const image = tf.ones([1, 3, 3, 1]);
      const increments = tf.ones([1, 3, 3, 2]);
      const residual = tf.zeros([1, 6]);
      return tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
        tf.sum(warp(a as tf.Tensor4D, integralAffineDisplacement(b as tf.Tensor4D, c as tf.Tensor2D))),
      )([image, increments, residual]);
    };
    await tf.setBackend('wasm');
    expect(hasFusedKernel(FUSED_KERNEL_NAMES.bilinearWarp, FUSED_KERNEL_NAMES.bilinearWarpGrad)).toBe(true);
    expect(await kernelsRun(compute)).toEqual(expect.arrayContaining(Object.values(FUSED_KERNEL_NAMES)));
    await tf.setBackend('cpu');
    expect(hasFusedKernel(FUSED_KERNEL_NAMES.bilinearWarp, FUSED_KERNEL_NAMES.bilinearWarpGrad)).toBe(false);
    const onCpu = await kernelsRun(compute);
    expect(onCpu.filter((name) => name.startsWith('Ddar'))).toEqual([]);
    expect(onCpu).toContain('GatherNd');
  });

  it.each(WARP_CASES)(
    'warp, $label $shape, border $border, special values $special: same values and gradients of a weighted sum',
    async ({ shape, border, special }) => {
      const [n, h, w, c] = shape;
      const seed = n * 1000 + h * 31 + w * 7 + c + (special ? 1 : 0);
      const compute = () => {
        const image = tf.tensor4d(sequence(n * h * w * c, seed, -1, 1), shape);
        const displacement = tf.tensor4d(displacementValues(n, h, w, seed + 1, special), [n, h, w, 2]);
        const weights = tf.tensor4d(sequence(n * h * w * c, seed + 2, -1, 1), shape);
        const f = (img: tf.Tensor, d: tf.Tensor) => warp(img as tf.Tensor4D, d as tf.Tensor4D, { border });
        const grads = tf.grads((img: tf.Tensor, d: tf.Tensor) => tf.sum(tf.mul(f(img, d), weights)))([image, displacement]);
        return [f(image, displacement), ...grads];
      };
      const [fused, composite] = [await valuesOn('wasm', compute), await valuesOn('cpu', compute)];
      expectClose(fused[0], composite[0], 'output');
      expectClose(fused[1], composite[1], 'dImage');
      expectClose(fused[2], composite[2], 'dDisplacement');
      if (n * h * w > 3) {
        // Not vacuous: the image gradient has finite non-zero entries, and the special values make NaN pixels.
        expect(composite[1].some((v) => Number.isFinite(v) && Math.abs(v) > 0.1)).toBe(true);
        expect(composite[0].some(Number.isNaN)).toBe(special);
      }
    },
  );

  it('warp in normalized units', async () => {
    const shape: Shape4 = [3, 7, 9, 2];
    const compute = () => {
      const image = tf.tensor4d(sequence(3 * 7 * 9 * 2, 5, 0, 1), shape);
      const displacement = tf.tensor4d(sequence(3 * 7 * 9 * 2, 6, -1.2, 1.2), [3, 7, 9, 2]);
      const weights = tf.tensor4d(sequence(3 * 7 * 9 * 2, 7, -1, 1), shape);
      const f = (img: tf.Tensor, d: tf.Tensor) => warp(img as tf.Tensor4D, d as tf.Tensor4D, { units: 'normalized', border: 'clamp' });
      return [f(image, displacement), ...tf.grads((img: tf.Tensor, d: tf.Tensor) => tf.sum(tf.mul(f(img, d), weights)))([image, displacement])];
    };
    const [fused, composite] = [await valuesOn('wasm', compute), await valuesOn('cpu', compute)];
    fused.forEach((values, k) => expectClose(values, composite[k], `output ${k}`));
  });

  const GRID_SHAPES: Array<[number, number, number]> = [
    [1, 1, 1],
    [2, 1, 9],
    [3, 7, 1],
    [5, 7, 9],
    [4, 9, 7],
    [8, 28, 28],
    [2, 32, 32],
    [64, 28, 28],
  ];

  it.each(GRID_SHAPES)('integralAffineDisplacement, N %i, %ix%i: same values and gradients of a weighted sum', async (n, h, w) => {
    const seed = n * 1000 + h * 31 + w;
    const compute = () => {
      // Increments as the model makes them, in (0, 2), and a residual in (-1, 1) with some entries far from 0.
      const increments = tf.tensor4d(sequence(n * h * w * 2, seed, 0.01, 1.99), [n, h, w, 2]);
      const residual = tf.tensor2d(sequence(n * 6, seed + 1, -0.9, 0.9), [n, 6]);
      const weights = tf.tensor4d(sequence(n * h * w * 2, seed + 2, -1, 1), [n, h, w, 2]);
      const f = (a: tf.Tensor, b: tf.Tensor) => integralAffineDisplacement(a as tf.Tensor4D, b as tf.Tensor2D);
      return [f(increments, residual), ...tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, b), weights)))([increments, residual])];
    };
    const [fused, composite] = [await valuesOn('wasm', compute), await valuesOn('cpu', compute)];
    expectClose(fused[0], composite[0], 'displacement');
    expectClose(fused[1], composite[1], 'dIncrements');
    expectClose(fused[2], composite[2], 'dAffineResidual');
    expect(composite[2].some((v) => Math.abs(v) > 0.1)).toBe(true);
  });
});

/** What the wasm backend holds: live data ids and heap bytes (the heap only grows, so growth means a leak). */
function wasmFootprint(): { dataIds: number; heapBytes: number } {
  const wasm = tf.findBackend('wasm') as unknown as { numDataIds(): number; wasm: { HEAPU8: Uint8Array } };
  return { dataIds: wasm.numDataIds(), heapBytes: wasm.wasm.HEAPU8.buffer.byteLength };
}

describe('fused kernels on wasm', () => {
  beforeAll(async () => {
    await backend.initBackend({ backend: 'wasm', log: false });
  });

  afterEach(() => backend.registerWasmFusedKernels());

  it.each(['warp', 'integralAffineDisplacement'])('%s leaks no tensor, data id or heap over 100 forward and backward passes', (name) => {
    const inputs =
      name === 'warp'
        ? [tf.tensor4d(sequence(8 * 28 * 28, 1, 0, 1), [8, 28, 28, 1]), tf.tensor4d(sequence(8 * 28 * 28 * 2, 2, -3, 3), [8, 28, 28, 2])]
        : [tf.tensor4d(sequence(8 * 28 * 28 * 2, 3, 0.5, 1.5), [8, 28, 28, 2]), tf.tensor2d(sequence(8 * 6, 4, -0.2, 0.2), [8, 6])];
    const op = (a: tf.Tensor, b: tf.Tensor) =>
      name === 'warp' ? warp(a as tf.Tensor4D, b as tf.Tensor4D) : integralAffineDisplacement(a as tf.Tensor4D, b as tf.Tensor2D);
    const step = () => tf.dispose(tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(op(a, b)))(inputs));
    for (let i = 0; i < 5; i++) step();
    const tensors = tf.memory().numTensors;
    const before = wasmFootprint();
    for (let i = 0; i < 100; i++) step();
    expect({ tensors: tf.memory().numTensors - tensors, ...wasmFootprint() }).toEqual({ tensors: 0, ...before });
    tf.dispose(inputs);
  });

  it("gives DDARModel's loss terms and their gradients as the composite path does", () => {
    const model = DDARModel.create({
      backboneName: 'smallCnn',
      backboneOptions: { width: 0.25, embeddingSize: 32 },
      inputShape: [28, 28, 1],
      numClasses: 10,
      decoderWidth: 8,
      seed: 11,
    });
    const { images, labels } = randomBatch(16, [28, 28, 1], 10, 12);
    // Every term, the displacement's magnitude included (0 by default), so that each reaches the warp or the grid.
    const weights = { magnitude: 0.1 };
    // Away from the identity, where the warp terms are 0 and sample points sit on grid lines.
    const optimizer = tf.train.sgd(0.05);
    optimizer.minimize(() => model.lossTerms(images, labels, weights).total);
    optimizer.dispose();

    const evaluate = () => {
      const { total, terms } = model.lossTerms(images, labels, weights);
      const values = Object.fromEntries(Object.entries(terms).map(([name, t]) => [name, (t as tf.Tensor).dataSync()[0]]));
      tf.dispose([total, ...Object.values(terms)]);
      // Per term, the gradient of every trainable weight it reaches (null for the others).
      const gradients: Record<string, Array<Float32Array | null>> = {};
      for (const name of Object.keys(values)) {
        const { value, grads } = tf.variableGrads(() => model.lossTerms(images, labels, weights).terms[name as 'reconstruction']!, model.trainableWeights);
        gradients[name] = model.trainableWeights.map((v) => (grads[v.name]?.dataSync() as Float32Array | undefined) ?? null);
        tf.dispose([value, ...Object.values(grads)]);
      }
      return { values, gradients };
    };
    expect(hasFusedKernel(FUSED_KERNEL_NAMES.bilinearWarp, FUSED_KERNEL_NAMES.bilinearWarpGrad)).toBe(true);
    const fused = evaluate();
    backend.unregisterWasmFusedKernels();
    expect(hasFusedKernel(FUSED_KERNEL_NAMES.bilinearWarp, FUSED_KERNEL_NAMES.bilinearWarpGrad)).toBe(false);
    const composite = evaluate();

    expect(Object.keys(fused.values).sort()).toEqual(['biasReduction', 'classification', 'magnitude', 'reconstruction', 'smoothness']);
    for (const [name, value] of Object.entries(composite.values)) {
      expect(Math.abs(fused.values[name] - value)).toBeLessThanOrEqual(1e-5 + 1e-5 * Math.abs(value));
    }
    const mismatches: string[] = [];
    for (const [name, perWeight] of Object.entries(composite.gradients)) {
      perWeight.forEach((expected, k) => {
        const actual = fused.gradients[name][k];
        if (expected === null || actual === null) {
          if (expected !== actual) mismatches.push(`d ${name} / d ${model.trainableWeights[k].name}: reached on one path only`);
          return;
        }
        let diff = 0;
        let scale = 1e-12;
        for (let i = 0; i < expected.length; i++) {
          diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
          scale = Math.max(scale, Math.abs(expected[i]));
        }
        if (diff > 1e-4 * scale && diff > 1e-7) mismatches.push(`d ${name} / d ${model.trainableWeights[k].name}: ${diff} of ${scale}`);
      });
    }
    expect(mismatches).toEqual([]);
    // Not vacuous: the reconstruction pulls on the geometric decoder through the warp and the grid.
    const geometric = model.trainableWeights.findIndex((v) => v.name.includes('geometric') || v.name.includes('increment'));
    expect(geometric).toBeGreaterThanOrEqual(0);
    expect(composite.gradients.reconstruction[geometric]?.some((g) => g !== 0)).toBe(true);
    tf.dispose([images, labels]);
    model.dispose();
  });
});
