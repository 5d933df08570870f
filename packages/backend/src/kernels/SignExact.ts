import { Sign, type KernelConfig, type KernelFunc, type TensorInfo, type UnaryInputs } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { requireInput } from './tensor_checks.js';

/**
 * tfjs-backend-wasm 4.22's Sign returns 0 for every |x| <= 1e-7 (measured: sign(1e-7) = 0, sign(1e-6) = 1).
 * Input gradients of confidently classified examples are often that small, so FGSM/PGD steps built on
 * `tf.sign` would silently leave those pixels unattacked. This kernel computes the exact sign in place on the
 * WASM heap (no copy): -1 for x < 0, 1 for x > 0, 0 for 0 and NaN, as the cpu backend does.
 */
export function makeSignExact(original: KernelConfig): KernelConfig {
  const kernelFunc = (args: { inputs: UnaryInputs; backend: BackendWasm }): TensorInfo => {
    const { inputs, backend } = args;
    const x = requireInput(Sign, inputs, 'x');
    const out = backend.makeOutput(x.shape, x.dtype);
    if (x.shape.reduce((a, b) => a * b, 1) === 0) return out;
    const source = backend.typedArrayFromHeap(x);
    const target = backend.typedArrayFromHeap(out);
    for (let i = 0; i < source.length; i++) {
      const v = source[i];
      target[i] = v < 0 ? -1 : v > 0 ? 1 : 0;
    }
    return out;
  };
  return { ...original, kernelFunc: kernelFunc as unknown as KernelFunc };
}
