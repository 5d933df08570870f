import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { DdarAdamStep, type DdarAdamStepAttrs } from './fused_kernel_names.js';
import { heapKernels, heapOffset } from './simd/heap_kernels.js';
import { assertDtype, requireInput } from './tensor_checks.js';

// One Adam update of one variable in a single kernel. tfjs-core's AdamOptimizer runs ~12 small kernels per variable
// and step (~8 ms for the 1 M weights of the MNIST DDAR model on wasm); this is one pass over the heap. The arithmetic
// is the optimizer's, op by op in float32, so the results are bit-identical.
const ADAM_STEP = DdarAdamStep;
type AdamStepAttrs = DdarAdamStepAttrs;

const INPUTS = ['value', 'firstMoment', 'secondMoment', 'gradient'] as const;

function adamStep(args: { inputs: Record<string, TensorInfo | undefined>; backend: BackendWasm; attrs: NamedAttrMap }): TensorInfo[] {
  const { inputs, backend } = args;
  const attrs = args.attrs as unknown as AdamStepAttrs;
  const [value, firstMoment, secondMoment, gradient] = INPUTS.map((name) => {
    const info = requireInput(ADAM_STEP, inputs, name);
    assertDtype(ADAM_STEP, name, info, ['float32']);
    return info;
  });
  for (const [name, info] of [['firstMoment', firstMoment], ['secondMoment', secondMoment], ['gradient', gradient]] as const) {
    if (info.shape.join(',') !== value.shape.join(',')) {
      throw new Error(`Error in ${ADAM_STEP}: ${name} must have the shape of value [${value.shape.join(',')}], but got [${info.shape.join(',')}].`);
    }
  }
  const outputs = [value, firstMoment, secondMoment].map((info) => backend.makeOutput(info.shape, 'float32'));
  const count = outputs[0].shape.reduce((a, b) => a * b, 1);
  if (count === 0) return outputs;
  // The scalars tfjs-core's optimizer makes: each a float32 of the same double expression.
  const f = Math.fround;
  const constants = [
    f(attrs.beta1),
    f(attrs.beta2),
    f(1 - attrs.beta1),
    f(1 - attrs.beta2),
    f(attrs.oneMinusAccBeta1),
    f(attrs.oneMinusAccBeta2),
    f(-attrs.learningRate),
    f(attrs.epsilon),
  ] as const;
  const simd = heapKernels(backend);
  const pointers = [value, firstMoment, secondMoment, gradient, ...outputs].map((info) => heapOffset(backend, info));
  if (simd !== undefined) {
    simd.adamStep(...(pointers as [number, number, number, number, number, number, number]), count, ...constants);
  } else {
    const [w, m, v, g, newW, newM, newV] = [value, firstMoment, secondMoment, gradient, ...outputs].map(
      (info) => backend.typedArrayFromHeap(info) as Float32Array,
    );
    adamStepInto(w, m, v, g, newW, newM, newV, constants);
  }
  return outputs;
}

/** The same step in JavaScript, float32 after every operation, where the SIMD module cannot run. */
export function adamStepInto(
  w: Float32Array, m: Float32Array, v: Float32Array, g: Float32Array,
  newW: Float32Array, newM: Float32Array, newV: Float32Array,
  [beta1, beta2, oneMinusBeta1, oneMinusBeta2, oneMinusAccBeta1, oneMinusAccBeta2, negativeLearningRate, epsilon]: readonly number[],
): void {
  const f = Math.fround;
  for (let i = 0; i < w.length; i++) {
    const mi = f(f(m[i] * beta1) + f(g[i] * oneMinusBeta1));
    const vi = f(f(v[i] * beta2) + f(f(g[i] * g[i]) * oneMinusBeta2));
    newM[i] = mi;
    newV[i] = vi;
    const denominator = f(f(Math.sqrt(f(vi / oneMinusAccBeta2))) + epsilon);
    newW[i] = f(f(f(f(mi / oneMinusAccBeta1) / denominator) * negativeLearningRate) + w[i]);
  }
}

export const adamStepConfig: KernelConfig = {
  kernelName: ADAM_STEP,
  backendName: 'wasm',
  kernelFunc: adamStep as unknown as KernelFunc,
};
