import {
  BatchMatMul,
  Transpose,
  type BatchMatMulAttrs,
  type BatchMatMulInputs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { disposeIntermediates, runWasmKernel } from './wasm_kernel_calls.js';
import { requireInput } from './tensor_checks.js';

/**
 * The wasm BatchMatMul is fast (XNNPACK) only without transposes; with `transposeA` or
 * `transposeB` it takes a path measured 7x slower (88 ms vs 12 ms for the [128,3136]^T x [128,128]
 * product of a dense layer's weight gradient). Every matMul gradient asks for a transpose, so this
 * wrapper makes the transposed operand explicit with the wasm Transpose kernel and calls the
 * original kernel without flags. Untransposed products go straight to the original.
 */
export function makeBatchMatMulViaTranspose(original: KernelConfig): KernelConfig {
  const originalFunc = original.kernelFunc;
  const kernelFunc = (args: { inputs: BatchMatMulInputs; backend: BackendWasm; attrs: BatchMatMulAttrs }): TensorInfo => {
    const { inputs, backend, attrs } = args;
    const { transposeA, transposeB } = attrs;
    if (!transposeA && !transposeB) {
      return originalFunc(args as unknown as Parameters<KernelFunc>[0]) as TensorInfo;
    }
    const a = requireInput(BatchMatMul, inputs, 'a');
    const b = requireInput(BatchMatMul, inputs, 'b');
    const plainA = transposeA ? swapLastTwoAxes(a, backend) : a;
    const plainB = transposeB ? swapLastTwoAxes(b, backend) : b;
    const out = originalFunc({
      inputs: { a: plainA, b: plainB },
      backend,
      attrs: { ...attrs, transposeA: false, transposeB: false },
    }) as TensorInfo;
    if (plainA !== a) {
      disposeIntermediates(backend, plainA);
    }
    if (plainB !== b) {
      disposeIntermediates(backend, plainB);
    }
    return out;
  };
  return {
    ...original,
    kernelFunc: kernelFunc as unknown as KernelFunc,
  };
}

function swapLastTwoAxes(x: TensorInfo, backend: BackendWasm): TensorInfo {
  const rank = x.shape.length;
  if (rank < 2) {
    throw new Error(`Error in ${BatchMatMul}: operands must be at least rank 2, but got shape [${x.shape.join(',')}].`);
  }
  const perm = x.shape.map((_, i) => (i < rank - 2 ? i : i === rank - 2 ? rank - 1 : rank - 2));
  return runWasmKernel(Transpose, { x }, { perm }, backend);
}
