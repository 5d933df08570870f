import { Identity, type KernelConfig, type KernelFunc, type TensorInfo, type UnaryInputs } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { requireInput } from './tensor_checks.js';

/**
 * tfjs-backend-wasm 4.22's Identity allocates a new buffer and copies the input into it. tfjs-core calls it for every
 * tensor a kernel saves for its gradient while a gradient is recorded (`saveTensorsForBackwardMode` clones each one),
 * about 160 times per DDAR training step, activations included. Tensors are immutable and no wasm kernel writes into
 * its inputs, so the output can share the input's buffer, counted by reference as Reshape already does (and as the
 * cpu and webgl backends' Identity do). Strings keep the original kernel.
 */
export function makeIdentityShared(original: KernelConfig): KernelConfig {
  const kernelFunc = (args: { inputs: UnaryInputs; backend: BackendWasm; attrs: Record<string, never> }): TensorInfo => {
    const x = requireInput(Identity, args.inputs, 'x');
    if (x.dtype === 'string') return (original.kernelFunc as unknown as (a: typeof args) => TensorInfo)(args);
    args.backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
  return { ...original, kernelFunc: kernelFunc as unknown as KernelFunc };
}
